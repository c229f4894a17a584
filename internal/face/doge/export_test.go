package doge

var Codes = codes

func AnswerOf(err error) (int, string) { a := answerOf(err); return a.Status, a.Msg }
