package admin

import (
	"net/http"

	"plaza/internal/admins"
	"plaza/internal/catalog"
)

// The description of the collections, GET /admin/v1/catalog: what a
// console needs to draw a list and a form for each of them.

type fieldBody struct {
	Name      string      `json:"name"`
	Kind      string      `json:"kind"` // text, int, bool, enum, public_id, ref, list, object
	Required  bool        `json:"required,omitempty"`
	Options   []string    `json:"options,omitempty"`
	Max       int64       `json:"max,omitempty"`
	Min       int64       `json:"min,omitempty"`
	Multiline bool        `json:"multiline,omitempty"`
	Media     bool        `json:"media,omitempty"` // a media id: an image to upload (POST /admin/v1/media)
	Ref       string      `json:"ref,omitempty"`   // the table a ref points to
	ReadOnly  bool        `json:"read_only,omitempty"`
	Null      bool        `json:"null,omitempty"`
	Search    bool        `json:"searchable,omitempty"` // ?q= of the list looks in it
	Sort      bool        `json:"sortable,omitempty"`   // ?sort= of the list may name it
	Sub       []fieldBody `json:"sub,omitempty"`
}

type collectionBody struct {
	Name   string      `json:"name"`
	Fields []fieldBody `json:"fields"`
}

var kindNames = map[catalog.Kind]string{
	catalog.Text: "text", catalog.Int: "int", catalog.Bool: "bool", catalog.Enum: "enum",
	catalog.PublicID: "public_id", catalog.Ref: "ref", catalog.List: "list", catalog.Object: "object",
}

func wireField(f catalog.Field) fieldBody {
	b := fieldBody{Name: f.Name, Kind: kindNames[f.Kind], Required: f.Required, Options: f.Options, Max: f.Max, Min: f.Min,
		Multiline: f.Multiline, Media: f.IsMedia(), Ref: f.RefTable, ReadOnly: f.ReadOnly, Null: f.Null,
		Search: f.Searchable(), Sort: f.Sortable()}
	for _, s := range f.Sub {
		b.Sub = append(b.Sub, wireField(s))
	}
	return b
}

func (f *face) catalogSchema(_ *http.Request, _ admins.Admin) (int, any, error) {
	var out []collectionBody
	for _, c := range catalog.Collections() {
		cb := collectionBody{Name: c.Name, Fields: []fieldBody{}}
		for _, fl := range c.Fields {
			cb.Fields = append(cb.Fields, wireField(fl))
		}
		out = append(out, cb)
	}
	return http.StatusOK, map[string]any{"collections": out}, nil
}
