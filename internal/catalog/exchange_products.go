package catalog

import "plaza/internal/errs"

// Product types of the exchange shop (the market face's _type).
const (
	ProductPhysical = 0
	ProductVirtual  = 1
)

// Actions of a virtual product's category: what it decorates.
const (
	ActionAvatar     = "avatar"
	ActionBackground = "background"
)

// ExchangeProducts are what users buy with diamonds in the market face
// (internal/market sells them). A virtual product has a category (kept in
// the product's category_* columns; the market face shows the product's
// pk as the category's); a physical one has none. stock null is
// unlimited; bought is the market's count.
var ExchangeProducts = register(&Collection{
	Name:  "exchange-products",
	Table: "exchange_products",
	Fields: []Field{
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "content", Kind: Text, Max: 20000, Multiline: true},
		{Name: "image", Kind: Text, Check: isMedia},
		{Name: "diamond", Kind: Int, Min: 1, Max: 1<<53 - 1, Required: true},
		{Name: "product_type", Kind: Int, Min: ProductPhysical, Max: ProductVirtual},
		{Name: "stock", Kind: Int, Null: true, Max: 1_000_000_000},
		{Name: "bought", Kind: Int, ReadOnly: true},
		{Name: "category", Kind: Object, Sub: []Field{
			{Name: "name", Kind: Text, Max: 100},
			{Name: "desc", Kind: Text, Max: 1000},
			{Name: "style", Kind: Text, Max: 100},
			{Name: "action", Kind: Enum, Options: []string{ActionAvatar, ActionBackground}, Required: true},
		}},
	},
	Check: func(r Record) error {
		virtual := r["product_type"] == int64(ProductVirtual)
		switch {
		case virtual && r["category"] == nil:
			return errs.InvalidField("category", "a virtual product (product_type 1) needs a category {name, desc, style, action}")
		case !virtual && r["category"] != nil:
			return errs.InvalidField("category", "a physical product (product_type 0) has no category (set category to null)")
		}
		return nil
	},
})
