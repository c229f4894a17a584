package catalog

// Masters (达人) are admin-made profiles users follow; a master may be
// linked to one user account, whose articles and follows then count as the
// master's and who answers the master's messages.
var Masters = register(&Collection{
	Name:  "masters",
	Table: "masters",
	Fields: []Field{
		{Name: "master_id", Kind: PublicID},
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "avatar", Kind: Text, Check: isMedia},
		{Name: "intro", Kind: Text, Max: 20000, Multiline: true}, // opaque (the app keeps a JSON list of paragraphs)
		{Name: "address", Kind: Text, Max: 256},
		{Name: "birthday", Kind: Text, Max: 10, Check: isDate},
		{Name: "user_id", Kind: Ref, RefTable: "users", RefName: "user", RefPublic: "uid", Unique: true}, // the id, or the yuanyi face's uid
		{Name: "recommended", Kind: Bool},
		{Name: "sort", Kind: Int, Max: 1_000_000_000}, // recommended masters: smaller first
	},
})
