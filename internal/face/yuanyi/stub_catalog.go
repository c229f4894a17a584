package yuanyi

// catalogMethods are the catalog functions of the face (to come).
func (f *face) catalogMethods() map[string]method { return nil }
