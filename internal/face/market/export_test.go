package market

// The face's table and mapping, for the test that checks it is whole.
var (
	Codes    = codes
	AnswerOf = func(err error) (int, string) { a := answerOf(err); return a.Status, a.Detail }
)
