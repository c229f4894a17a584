package server

import (
	"fmt"

	"plaza/internal/config"
	"plaza/internal/provider/push"
)

// openPush builds the push channels of the settings (push-ios,
// push-android): a vendor's provider, or outbox for a side set to outbox.
// A key or credentials file that cannot be read stops the start.
func openPush(cfg *config.Config, outbox *push.Outbox) (push.Channels, error) {
	p := cfg.Push
	ch := push.Channels{IOS: outbox, Android: outbox}
	if p.IOS == "apns" {
		a, err := push.NewAPNs(push.APNsConfig{
			KeyFile: p.APNsKeyFile, KeyID: p.APNsKeyID, TeamID: p.APNsTeamID, Topic: p.APNsTopic,
			Production: p.APNsEnvironment == "production", Host: p.APNsHost, CAFile: p.APNsCAFile,
		})
		if err != nil {
			return push.Channels{}, fmt.Errorf("push-ios=apns: %w", err)
		}
		ch.IOS = a
	}
	switch p.Android {
	case "fcm":
		f, err := push.NewFCM(push.FCMConfig{CredentialsFile: p.FCMCredentialsFile, ProjectID: p.FCMProjectID, Endpoint: p.FCMEndpoint})
		if err != nil {
			return push.Channels{}, fmt.Errorf("push-android=fcm: %w", err)
		}
		ch.Android = f
	case "jpush":
		j, err := push.NewJPush(push.JPushConfig{AppKey: p.JPushAppKey, MasterSecret: p.JPushMasterSecret, Endpoint: p.JPushEndpoint})
		if err != nil {
			return push.Channels{}, fmt.Errorf("push-android=jpush: %w", err)
		}
		ch.Android = j
	}
	return ch, nil
}
