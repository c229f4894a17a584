package catalog

// MaxTicketPrice caps a ticket's price in fen (one million yuan).
const MaxTicketPrice = 100_000_000

// Tickets are single items of a project: each is sold once. Whether a
// ticket is reserved by a pending order or sold is the orders core's
// (columns reserved_order and sold_to, which no admin field writes).
var Tickets = register(&Collection{
	Name:  "tickets",
	Table: "tickets",
	Fields: []Field{
		// The projects record's id. The column: project.
		{Name: "project_id", Kind: Ref, RefTable: "projects", RefName: "project", Required: true, Column: "project"},
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "image", Kind: Text, Check: isMedia},
		{Name: "intro", Kind: Text, Max: 20000, Multiline: true},
		{Name: "price", Kind: Int, Max: MaxTicketPrice}, // fen, 0 or more
		{Name: "recommended", Kind: Bool},
	},
})
