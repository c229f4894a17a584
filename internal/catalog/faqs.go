package catalog

// FAQs are the questions and answers of the member face's /api/faq.
var FAQs = register(&Collection{
	Name:  "faqs",
	Table: "faqs",
	Fields: []Field{
		{Name: "title", Kind: Text, Max: 200, Required: true},
		{Name: "content", Kind: Text, Max: 20000, Multiline: true},
		{Name: "category", Kind: Text, Max: 100},
		{Name: "external_link", Kind: Text, Max: 1024},
	},
})
