package catalog

import "reflect"

// CheckName names the field's Check rule, for documents describing the
// fields (the admin API's OpenAPI document): "date", "email", "phone",
// "url", "media", or "" (no Check, or one of another package).
func (f Field) CheckName() string {
	if f.Check == nil {
		return ""
	}
	p := reflect.ValueOf(f.Check).Pointer()
	for name, c := range map[string]func(string, string) error{
		"date": isDate, "email": isEmail, "phone": isPhone, "url": isURL, "media": isMedia,
	} {
		if reflect.ValueOf(c).Pointer() == p {
			return name
		}
	}
	return ""
}
