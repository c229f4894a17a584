package member

// The face's tables and mapping, for the test that checks they are whole.
var (
	KindCodes   = kindCodes
	ReasonCodes = reasonCodes
	CodeOf      = codeOf
)
