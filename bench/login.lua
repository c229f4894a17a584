-- wrk script: sign in with a password (POST /api/auth/access_token).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"area":"86","account":"13800138000","password":"bench-password"}'
