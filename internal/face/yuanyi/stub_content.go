package yuanyi

// contentMethods are the content functions of the face (to come).
func (f *face) contentMethods() map[string]method { return nil }
