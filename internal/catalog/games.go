package catalog

// Games are the yuanyi app's games; users like and collect them.
var Games = register(&Collection{
	Name:  "games",
	Table: "games",
	Fields: []Field{
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "image", Kind: Text, Check: isMedia},
		{Name: "intro", Kind: Text, Max: 20000, Multiline: true},
		{Name: "recommended", Kind: Bool},
	},
})
