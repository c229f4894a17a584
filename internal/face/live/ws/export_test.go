package ws

// Codes is the endpoint's error table, for its test.
var Codes = codes
