package catalog

import "plaza/internal/errs"

// Cloth kinds.
const (
	ClothDesignCircle = "design_circle"
	ClothMerchant     = "merchant"
)

// Clothes are the design-circle and merchant clothes users collect. A
// merchant cloth names its merchant; a design-circle cloth has none.
var Clothes = register(&Collection{
	Name:  "clothes",
	Table: "clothes",
	Fields: []Field{
		{Name: "kind", Kind: Enum, Options: []string{ClothDesignCircle, ClothMerchant}, Required: true},
		{Name: "name", Kind: Text, Max: 100, Required: true},
		{Name: "image", Kind: Text, Check: isMedia},
		{Name: "images", Kind: List, Max: 20, Check: isMedia},
		{Name: "intro", Kind: Text, Max: 20000, Multiline: true},
		{Name: "designer_intro", Kind: Text, Max: 20000, Multiline: true},
		{Name: "price", Kind: Int, Max: 100_000_000_000}, // cents
		{Name: "dynasty", Kind: Int, Max: 1000},
		// The merchants record: its id, or its merchant_id (32 hex) as the
		// faces show it. Earlier name and the column: merchant.
		{Name: "merchant_id", Kind: Ref, RefTable: "merchants", RefName: "merchant", RefPublic: "merchant_id",
			Aliases: []string{"merchant"}, Column: "merchant"},
		{Name: "recommended", Kind: Bool},
	},
	Check: func(r Record) error {
		switch {
		case r["kind"] == ClothMerchant && r["merchant_id"] == nil:
			return errs.InvalidField("merchant_id", "a merchant cloth needs merchant_id (the id or the merchant_id of a merchants record)")
		case r["kind"] == ClothDesignCircle && r["merchant_id"] != nil:
			return errs.InvalidField("merchant_id", "a design_circle cloth has no merchant (set merchant_id to null)")
		}
		return nil
	},
})
