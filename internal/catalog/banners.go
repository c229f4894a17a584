package catalog

// Banner placements: the screens of the yuanyi app that show banners.
const (
	BannerHome         = "home"
	BannerTicket       = "ticket"
	BannerDesignCircle = "design_circle"
	BannerGame         = "game"
)

// Banners are the pictures at the top of a screen, with where a tap leads.
var Banners = register(&Collection{
	Name:  "banners",
	Table: "banners",
	Fields: []Field{
		{Name: "placement", Kind: Enum, Options: []string{BannerHome, BannerTicket, BannerDesignCircle, BannerGame}, Required: true},
		{Name: "image", Kind: Text, Required: true, Check: isMedia},
		{Name: "url", Kind: Text, Max: 1024, Check: isURL},
		{Name: "sort", Kind: Int, Max: 1_000_000_000}, // smaller first
	},
})
