package ws

import facelive "plaza/internal/face/live"

// answer is the result and message of an error frame.
type answer struct {
	Result  string
	Message string
}

// answerOf is the frame of err: the live face's code and message
// (facelive.Answer: one table for the face, its sockets included).
func answerOf(err error) answer {
	code, msg := facelive.Answer(err)
	return answer{Result: code, Message: msg}
}
