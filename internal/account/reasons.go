package account

import "plaza/internal/errs"

// Reasons of the account core's errors (errs.Error.Reason), for the faces
// that tell them apart.
var (
	ReasonNotRegistered = errs.NewReason("account.not_registered") // NotFound: no user has that phone or e-mail
	ReasonNoUser        = errs.NewReason("account.no_user")        // NotFound: no user has that id or uid (any core may say so)
	ReasonRegistered    = errs.NewReason("account.registered")     // Conflict: the phone or e-mail belongs to an account
	ReasonWrongPassword = errs.NewReason("account.wrong_password") // Unauthenticated: the password does not match
	ReasonBanned        = errs.NewReason("account.banned")         // Forbidden: the account is banned
	ReasonBadPhone      = errs.NewReason("account.bad_phone")      // Invalid: not a phone number
	ReasonBadEmail      = errs.NewReason("account.bad_email")      // Invalid: not an e-mail address
)
