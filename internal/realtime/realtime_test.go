package realtime_test

import (
	"context"
	"testing"
	"time"

	"plaza/internal/realtime"
)

func recv(t *testing.T, s *realtime.Subscription) realtime.Message {
	t.Helper()
	select {
	case m, ok := <-s.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return m
	case <-time.After(2 * time.Second):
		t.Fatal("no message")
	}
	return realtime.Message{}
}

func TestLocalDelivers(t *testing.T) {
	b := realtime.NewLocal()
	defer b.Close()
	ctx := context.Background()
	a, err := b.Subscribe("room:1", 0)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := b.Subscribe("room:2", 0)
	if err := b.Publish(ctx, "room:1", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, a); string(m.Data) != "hi" || m.Gap || m.Topic != "room:1" {
		t.Fatalf("got %+v", m)
	}
	select {
	case m := <-other.C:
		t.Fatalf("other topic got %+v", m)
	default:
	}
	a.Close()
	a.Close()
	if _, ok := <-a.C; ok {
		t.Fatal("closed subscription still open")
	}
}

func TestSlowSubscriberGetsGapAndHoldsNoOneBack(t *testing.T) {
	b := realtime.NewLocal()
	defer b.Close()
	ctx := context.Background()
	slow, _ := b.Subscribe("t", 2)
	fast, _ := b.Subscribe("t", 100)
	for i := range 10 {
		if err := b.Publish(ctx, "t", []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if m := recv(t, fast); m.Data[0] != byte(i) {
			t.Fatalf("fast got %v at %d", m.Data, i)
		}
	}
	if m := recv(t, slow); m.Data[0] != 0 {
		t.Fatalf("slow first %+v", m)
	}
	if m := recv(t, slow); m.Data[0] != 1 {
		t.Fatalf("slow second %+v", m)
	}
	_ = b.Publish(ctx, "t", []byte{42})
	if m := recv(t, slow); !m.Gap {
		t.Fatalf("want a gap, got %+v", m)
	}
	if m := recv(t, slow); m.Data[0] != 42 {
		t.Fatalf("after the gap %+v", m)
	}
}

func TestChecks(t *testing.T) {
	b := realtime.NewLocal()
	ctx := context.Background()
	for _, topic := range []string{"", "a b", "ü", string(make([]byte, 65))} {
		if err := b.Publish(ctx, topic, nil); err == nil {
			t.Errorf("topic %q accepted", topic)
		}
		if _, err := b.Subscribe(topic, 0); err == nil {
			t.Errorf("subscribe %q accepted", topic)
		}
	}
	if err := b.Publish(ctx, "t", make([]byte, realtime.MaxPayload+1)); err == nil {
		t.Error("oversized payload accepted")
	}
	s, _ := b.Subscribe("t", 0)
	b.Close()
	if _, ok := <-s.C; ok {
		t.Error("bus closed, subscription open")
	}
	if _, err := b.Subscribe("t", 0); err == nil {
		t.Error("subscribe after close")
	}
}
