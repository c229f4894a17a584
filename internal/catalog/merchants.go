package catalog

// Merchants are the shops whose clothes the yuanyi app shows; users follow
// them.
var Merchants = register(&Collection{
	Name:  "merchants",
	Table: "merchants",
	Fields: []Field{
		{Name: "merchant_id", Kind: PublicID},
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "logo", Kind: Text, Check: isMedia},
		{Name: "intro", Kind: Text, Max: 20000, Multiline: true},
		{Name: "address", Kind: Text, Max: 256},
		{Name: "phone", Kind: Text, Max: 32, Check: isPhone},
		{Name: "email", Kind: Text, Max: 254, Check: isEmail},
	},
})
