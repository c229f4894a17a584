package member

// The face's table and mapping, for the test that checks it is whole.
var (
	Codes  = codes
	CodeOf = codeOf
)
