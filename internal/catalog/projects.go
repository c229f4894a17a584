package catalog

// Projects (项目) are a master's; their tickets are sold one by one
// (internal/orders).
var Projects = register(&Collection{
	Name:  "projects",
	Table: "projects",
	Fields: []Field{
		// The masters record: its id, or its master_id (32 hex) as the
		// faces show it. The column: master.
		{Name: "master_id", Kind: Ref, RefTable: "masters", RefName: "master", RefPublic: "master_id", Required: true, Column: "master"},
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "image", Kind: Text, Check: isMedia},
		{Name: "intro", Kind: Text, Max: 20000, Multiline: true}, // opaque (the app keeps a JSON list of paragraphs)
		{Name: "recommended", Kind: Bool},
	},
})
