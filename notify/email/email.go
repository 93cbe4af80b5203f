// Package email sends messages by SMTP, as plain-text mail with a
// Message-ID derived from the idempotency key (mail systems drop a second
// message with the same Message-ID) and an X-Duban-Idempotency-Key header.
package email

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"duban/notify"
)

// Config is an e-mail channel's part of the notify file.
type Config struct {
	Host     string   `yaml:"host"`
	Port     int      `yaml:"port"` // default 587 (starttls), 465 (tls), 25 (none)
	Username string   `yaml:"username"`
	Password string   `yaml:"password"`
	From     string   `yaml:"from"`
	To       []string `yaml:"to"`
	// TLS is starttls (the default: required, not opportunistic), tls (SMTPS) or none.
	TLS string `yaml:"tls"`
}

// Notifier sends mail through one server.
type Notifier struct {
	cfg     Config
	domain  string
	timeout time.Duration
}

// New checks the configuration and returns the notifier.
func New(cfg Config, timeout time.Duration) (*Notifier, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("host: the SMTP server is missing")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("from: %q is not an e-mail address", cfg.From)
	}
	if len(cfg.To) == 0 {
		return nil, fmt.Errorf("to: give at least one address")
	}
	for _, to := range cfg.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return nil, fmt.Errorf("to: %q is not an e-mail address", to)
		}
	}
	switch cfg.TLS {
	case "", "starttls":
		cfg.TLS = "starttls"
		if cfg.Port == 0 {
			cfg.Port = 587
		}
	case "tls":
		if cfg.Port == 0 {
			cfg.Port = 465
		}
	case "none":
		if cfg.Port == 0 {
			cfg.Port = 25
		}
	default:
		return nil, fmt.Errorf("tls: %q; want starttls, tls or none", cfg.TLS)
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, fmt.Errorf("username and password: give both or neither")
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &Notifier{cfg: cfg, domain: domain, timeout: timeout}, nil
}

// MessageID is the Message-ID of a sending: the same for every retry.
func MessageID(key, domain string) string {
	return strings.ReplaceAll(key, "/", ".") + ".duban@" + domain
}

// Send mails m to the channel's addresses.
func (n *Notifier) Send(ctx context.Context, m *notify.Message) (bool, error) {
	msg := gomail.NewMsg()
	if err := msg.From(n.cfg.From); err != nil {
		return false, err
	}
	if err := msg.To(n.cfg.To...); err != nil {
		return false, err
	}
	msg.Subject(m.Headline())
	msg.SetMessageIDWithValue(MessageID(m.IdempotencyKey, n.domain))
	msg.SetGenHeader(gomail.Header("X-Duban-Idempotency-Key"), m.IdempotencyKey)
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text())

	opts := []gomail.Option{gomail.WithPort(n.cfg.Port)}
	if n.timeout > 0 {
		opts = append(opts, gomail.WithTimeout(n.timeout))
	}
	switch n.cfg.TLS {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if n.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(n.cfg.Username), gomail.WithPassword(n.cfg.Password))
	}
	client, err := gomail.NewClient(n.cfg.Host, opts...)
	if err != nil {
		return false, fmt.Errorf("smtp %s: %w", n.cfg.Host, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return retryable(err), fmt.Errorf("smtp %s:%d: %w", n.cfg.Host, n.cfg.Port, err)
	}
	return false, nil
}

// retryable: a server's 4xx answer passes, its 5xx answer does not; a
// connection that failed or timed out may work later.
func retryable(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.IsTemp()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code < 500
	}
	return true
}
