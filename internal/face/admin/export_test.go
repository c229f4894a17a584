package admin

// Statuses is the face's table, for the test that checks it is whole.
var Statuses = statuses
