package ws

import (
	"plaza/internal/account"
	"plaza/internal/content"
	"plaza/internal/errs"
	"plaza/internal/media"
	"plaza/internal/orders"
	"plaza/internal/payment"
	"plaza/internal/pet"
	"plaza/internal/provider/mail"
	"plaza/internal/provider/sms"
	"plaza/internal/showcase"
	"plaza/internal/wallet"
)

// The live face's result codes (seed 001), with 0011 and 0012 added.
const (
	resOK          = "0000"
	resRegistered  = "0001"
	resOther       = "0002"
	resCodeWrong   = "0004"
	resCodeTries   = "0005"
	resUnknown     = "0006"
	resNoUser      = "0007"
	resBadPassword = "0008"
	resBadRequest  = "0009"
	resToken       = "0011"
	resTooOften    = "0012"
	resUpdate      = "0013"
)

// answer is the result and message of an error frame.
type answer struct {
	Result  string
	Message string
}

// codes is the endpoint's table from core errors to the live face's codes
// (errs.Codes): a test checks that it maps every kind and every reason.
var codes = errs.Codes[answer]{
	Kinds: map[errs.Kind]answer{
		errs.Internal:          {resUnknown, "unknown error"},
		errs.Invalid:           {resBadRequest, "bad request"},
		errs.Unauthenticated:   {resToken, "token invalid or expired"},
		errs.Forbidden:         {resOther, "not allowed"},
		errs.NotFound:          {resNoUser, "no such user"},
		errs.Conflict:          {resOther, "not possible now"},
		errs.InsufficientFunds: {resUpdate, "not enough gold"},
		errs.OutOfStock:        {resUpdate, "update failed"},
		errs.RateLimited:       {resTooOften, "too frequent"},
		errs.Unavailable:       {resOther, "not available now"},
		errs.CodeInvalid:       {resCodeWrong, "code wrong"},
		errs.CodeExhausted:     {resCodeTries, "too many wrong codes"},
		errs.Expired:           {resToken, "token invalid or expired"},
	},
	Reasons: map[errs.Reason]answer{
		account.ReasonRegistered:    {resRegistered, "phone already registered"},
		account.ReasonWrongPassword: {resBadPassword, "wrong password"},
		account.ReasonBadPhone:      {resBadRequest, "userId must be an 11-digit phone number"},
		wallet.ReasonBalanceLimit:   {resUpdate, "update failed"},
	},
	ByKind: []errs.Reason{
		account.ReasonNotRegistered, // the room of a phone nobody has: 0007
		account.ReasonNoUser,
		account.ReasonBanned,
		account.ReasonBadEmail,
		wallet.ReasonUnknownCurrency,
		wallet.ReasonKeyReused,
		// Reasons of cores this endpoint does not reach.
		pet.ReasonNoPoop,
		pet.ReasonNoPet,
		pet.ReasonHasPet,
		pet.ReasonDone,
		pet.ReasonNoGoods,
		pet.ReasonNoGift,
		pet.ReasonCarrying,
		pet.ReasonAction,
		sms.ReasonArrears,
		sms.ReasonFailed,
		sms.ReasonUnavailable,
		mail.ReasonUnavailable,
		media.Reason,
		content.ReasonArticle,
		content.ReasonComment,
		showcase.ReasonMaster,
		showcase.ReasonMerchant,
		showcase.ReasonCloth,
		showcase.ReasonGame,
		showcase.ReasonGameComment,
		showcase.ReasonProject,
		showcase.ReasonTicket,
		showcase.ReasonTicketComment,
		orders.ReasonOrder,
		orders.ReasonPaid,
		orders.ReasonClosed,
		payment.ReasonMethodUnavailable,
		payment.ReasonNotPending,
		payment.ReasonUnknown,
	},
	Default: answer{resUnknown, "unknown error"},
}

// answerOf is the frame of err: the table's code, and the error's own
// client-safe message when it has one (never an internal error's).
func answerOf(err error) answer {
	a := codes.Of(err)
	if m := errs.Message(err); errs.KindOf(err) != errs.Internal && m != "" {
		a.Message = m
	}
	return a
}
