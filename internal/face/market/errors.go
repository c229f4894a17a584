package market

import (
	"net/http"

	"plaza/internal/account"
	"plaza/internal/admins"
	"plaza/internal/content"
	"plaza/internal/errs"
	"plaza/internal/friend"
	"plaza/internal/live"
	"plaza/internal/market"
	"plaza/internal/media"
	"plaza/internal/orders"
	"plaza/internal/payment"
	"plaza/internal/pet"
	"plaza/internal/provider/mail"
	"plaza/internal/provider/sms"
	"plaza/internal/showcase"
	"plaza/internal/wallet"
)

// answer is how the face answers an error: an HTTP status and the
// "detail" text ("" keeps the error's own message).
type answer struct {
	Status int
	Detail string
}

// Django REST Framework's own words.
const (
	detailNotFound     = "Not found."
	detailInvalidPage  = "Invalid page."
	detailNoAuth       = "Authentication credentials were not provided."
	detailInvalidToken = "Invalid token."
	detailInactive     = "User inactive or deleted."
	detailServerError  = "A server error occurred."
)

// codes is the face's table from core errors to answers (errs.Codes): a
// test checks that it maps every kind and every reason any core declares.
var codes = errs.Codes[answer]{
	Kinds: map[errs.Kind]answer{
		errs.Internal:          {http.StatusInternalServerError, detailServerError},
		errs.Invalid:           {http.StatusBadRequest, ""},
		errs.Unauthenticated:   {http.StatusUnauthorized, detailInvalidToken},
		errs.Forbidden:         {http.StatusForbidden, "You do not have permission to perform this action."},
		errs.NotFound:          {http.StatusNotFound, detailNotFound},
		errs.Conflict:          {http.StatusBadRequest, ""},
		errs.InsufficientFunds: {http.StatusBadRequest, "钻石不足"},
		errs.RateLimited:       {http.StatusTooManyRequests, "Request was throttled."},
		errs.CodeInvalid:       {http.StatusBadRequest, ""},
		errs.CodeExhausted:     {http.StatusBadRequest, ""},
		errs.Expired:           {http.StatusBadRequest, ""},
		errs.OutOfStock:        {http.StatusBadRequest, "库存不足"},
		errs.Unavailable:       {http.StatusServiceUnavailable, "Service temporarily unavailable, try again later."},
	},
	// Reasons with an answer of their own.
	Reasons: map[errs.Reason]answer{
		// A banned user's token is refused as DRF refuses an inactive user's.
		account.ReasonBanned: {http.StatusUnauthorized, detailInactive},
	},
	// Reasons that keep the answer of their kind.
	ByKind: []errs.Reason{
		pet.ReasonNoPet,
		pet.ReasonHasPet,
		pet.ReasonNoPoop,
		pet.ReasonDone,
		pet.ReasonNoGoods,
		pet.ReasonNoGift,
		pet.ReasonCarrying,
		pet.ReasonAction,
		// The friends core (the live face's): this face does not reach it.
		friend.ReasonSelf,
		friend.ReasonAlreadyFriends,
		friend.ReasonNoRequest,
		friend.ReasonNotAddressee,
		friend.ReasonNotFriends,
		account.ReasonNoUser,
		wallet.ReasonUnknownCurrency,
		wallet.ReasonKeyReused,
		wallet.ReasonBalanceLimit,
		// Reasons of cores this face does not reach.
		account.ReasonNotRegistered,
		account.ReasonRegistered,
		account.ReasonWrongPassword,
		account.ReasonBadPhone,
		account.ReasonBadEmail,
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
		orders.ReasonRefunded, // refunds: the admin face's
		orders.ReasonNotPaid,
		market.ReasonRefunded,
		market.ReasonInUse,
		orders.ReasonClosed,
		payment.ReasonMethodUnavailable,
		payment.ReasonNotPending,
		payment.ReasonUnknown,
		live.ReasonRoomNone, // the live face's rooms
		live.ReasonRoomClosed,
		live.ReasonRoomKey,
		live.ReasonGoldAmount, // the live face's gold
		live.ReasonGiftSelf,
		admins.ReasonTOTPRequired, // the admin face's sign-in
		admins.ReasonTOTPInvalid,
		admins.ReasonCSRF,
	},
	Default: answer{http.StatusInternalServerError, detailServerError},
}

func answerOf(err error) answer { return codes.Of(err) }
