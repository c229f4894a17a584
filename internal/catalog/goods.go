package catalog

// Goods are what the pet game's shop sells for coins (the doge face, later).
var Goods = register(&Collection{
	Name:  "goods",
	Table: "goods",
	Fields: []Field{
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "price", Kind: Int, Max: 1<<53 - 1}, // coins
		{Name: "picture", Kind: Text, Check: isMedia},
		// "desc" is a word of SQL: the column is description.
		{Name: "desc", Kind: Text, Max: 20000, Multiline: true, Column: "description"},
	},
})
