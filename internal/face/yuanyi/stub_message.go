package yuanyi

// messageMethods are the message functions of the face (to come).
func (f *face) messageMethods() map[string]method { return nil }
