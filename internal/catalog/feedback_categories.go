package catalog

// FeedbackCategories are the kinds of feedback users choose from.
var FeedbackCategories = register(&Collection{
	Name:  "feedback-categories",
	Table: "feedback_categories",
	Fields: []Field{
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "description", Kind: Text, Max: 1000, Multiline: true},
	},
})
