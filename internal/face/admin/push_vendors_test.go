package admin_test

import (
	"testing"
	"time"

	"plaza/internal/plazatest"
	"plaza/internal/provider/push/pushtest"
)

// An admin push reaches the vendors through the whole server: an iOS
// device bound on the member face gets it from the APNs fake, an Android
// device from the FCM or the JPush fake, each with its token, the title,
// the body and the push's collapse id. Delivery may come after the admin
// call answers: the fakes are polled.
func TestPushThroughTheVendors(t *testing.T) {
	for _, android := range []string{"fcm", "jpush"} {
		t.Run(android, func(t *testing.T) {
			apns, fcm, jpush := pushtest.NewAPNs(t), pushtest.NewFCM(t), pushtest.NewJPush(t)
			env := map[string]string{
				"PLAZA_PUSH_IOS": "apns", "PLAZA_PUSH_APNS_KEY_FILE": apns.KeyFile, "PLAZA_PUSH_APNS_KEY_ID": apns.KeyID,
				"PLAZA_PUSH_APNS_TEAM_ID": apns.TeamID, "PLAZA_PUSH_APNS_TOPIC": apns.Topic, "PLAZA_PUSH_APNS_ENVIRONMENT": "development",
				"PLAZA_PUSH_APNS_HOST": apns.URL, "PLAZA_PUSH_APNS_CA_FILE": apns.CAFile,
				"PLAZA_PUSH_ANDROID": android,
			}
			if android == "fcm" {
				env["PLAZA_PUSH_FCM_CREDENTIALS_FILE"] = fcm.CredentialsFile
				env["PLAZA_PUSH_FCM_ENDPOINT"] = fcm.URL
			} else {
				env["PLAZA_PUSH_JPUSH_APP_KEY"] = jpush.AppKey
				env["PLAZA_PUSH_JPUSH_MASTER_SECRET"] = jpush.MasterSecret
				env["PLAZA_PUSH_JPUSH_ENDPOINT"] = jpush.URL
			}
			for k, v := range withAdmin {
				env[k] = v
			}
			seen := 0 // deliveries of the engines before this one (the fakes outlive a plaza)
			plazatest.Each(t, env, func(t *testing.T, e *plazatest.Env) {
				a := login(t, e)
				aliceTok, aliceID := register(t, e, "13800138000")
				bobTok, bobID := register(t, e, "13900139000")
				const iosToken = "5f1a9e0c2b7d4e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
				const androidToken = "dQw4w9WgXcQ:APA91bH-plaza-test-registration-token"
				memberOK(t, e, "POST", "/api/push/bind", map[string]any{"client_id": iosToken, "client_type": "ios"}, aliceTok)
				memberOK(t, e, "POST", "/api/push/bind", map[string]any{"client_id": androidToken, "client_type": "android"}, bobTok)

				p := a.ok("POST", "/admin/v1/pushes", map[string]any{"push_title": "新品上架", "push_body": "the spring goods are in",
					"user_ids": []any{aliceID, bobID}}, 201)
				collapse := "plaza-push-" + idStr(t, p)

				ios := apns.WaitDeliveries(seen+1, 5*time.Second)
				if len(ios) != seen+1 {
					t.Fatalf("APNs got %d deliveries, want %d", len(ios), seen+1)
				}
				if d := ios[seen]; d != (pushtest.Delivery{Token: iosToken, Title: "新品上架", Body: "the spring goods are in", CollapseID: collapse}) {
					t.Errorf("APNs got %+v", d)
				}
				switch android {
				case "fcm":
					got := fcm.WaitDeliveries(seen+1, 5*time.Second)
					if len(got) != seen+1 {
						t.Fatalf("FCM got %d deliveries", len(got))
					}
					if d := got[seen]; d != (pushtest.Delivery{Token: androidToken, Title: "新品上架", Body: "the spring goods are in", CollapseID: collapse}) {
						t.Errorf("FCM got %+v", d)
					}
				case "jpush":
					got := jpush.WaitDeliveries(seen+1, 5*time.Second)
					if len(got) != seen+1 {
						t.Fatalf("JPush got %d deliveries", len(got))
					}
					// JPush has no collapse id of its own: the first send of a
					// push overrides nothing (a resend would carry this msg_id).
					if d := got[seen]; d.Token != androidToken || d.Title != "新品上架" || d.Body != "the spring goods are in" || d.MsgID == 0 || d.CID == "" {
						t.Errorf("JPush got %+v", d)
					}
				}
				seen++
				for _, f := range [][]string{apns.Problems(), fcm.Problems(), jpush.Problems()} {
					for _, p := range f {
						t.Errorf("a fake found: %s", p)
					}
				}
				if n := len(e.Outbox("push")); n != 0 {
					t.Errorf("%d pushes went to the outbox", n)
				}
			})
		})
	}
}
