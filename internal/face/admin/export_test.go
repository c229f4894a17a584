package admin

// KindStatus is the face's table, for the test that checks it is whole.
var KindStatus = kindStatus
