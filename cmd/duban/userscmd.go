package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"duban/auth"
	"duban/internal/columns"
	"duban/keys"
	"duban/store"
)

func (a *app) usersCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "People who sign in to the pages and the API: roles, units, passwords, tokens"}
	cmd.AddCommand(a.usersAddCmd(), a.usersListCmd(), a.usersSetDisabledCmd(true), a.usersSetDisabledCmd(false),
		a.usersPasswdCmd(), a.tokenCmd())
	return cmd
}

// withStore opens the database for a users command.
func (a *app) withStore(cmd *cobra.Command, fn func(s *store.Store) error) error {
	s, err := a.openStore(cmd.Context(), nil)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// readPassword reads one line from standard input.
func readPassword(cmd *cobra.Command) (string, error) {
	line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("--password-stdin: no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (a *app) usersAddCmd() *cobra.Command {
	var spec auth.UserSpec
	var stdin bool
	cmd := &cobra.Command{
		Use:   "add USERNAME --role admin|supervisor|unit|inspector [--unit CODE]",
		Short: "Add a user; prints a generated password unless --password-stdin or --no-password",
		Long: `Add a user with a role:
  admin       system admins: the rules page, read access to everything
  supervisor  督查组: every unit's notices and cases; acknowledges, registers and hands over cases
  unit        责任单位: its unit's and sub-units' notices and cases (--unit CODE); acknowledges, closes
  inspector   纪检监察: reads and reviews the accountability log
A unit user may also answer for recipient names the rules use besides unit codes
(--also 信访局). The password is hashed with bcrypt; a generated one is printed once.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec.Username = args[0]
			if err := keyFlags(keys.Unit, map[string]*string{"unit": &spec.Unit}); err != nil {
				return err
			}
			if stdin {
				pw, err := readPassword(cmd)
				if err != nil {
					return err
				}
				spec.Password = pw
			}
			return a.withStore(cmd, func(s *store.Store) error {
				u, generated, err := auth.AddUser(cmd.Context(), s, spec)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "added %s (%s", u.Username, u.Role)
				if u.UnitCode != "" {
					fmt.Fprintf(a.stdout, ", unit %s", u.UnitCode)
				}
				fmt.Fprintln(a.stdout, ")")
				if generated != "" {
					fmt.Fprintf(a.stdout, "password: %s\n(shown once; change it with `duban users passwd %s --password-stdin`)\n", generated, u.Username)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&spec.Role, "role", "", "admin, supervisor, unit or inspector")
	cmd.Flags().StringVar(&spec.Unit, "unit", "", "a unit user's unit code")
	cmd.Flags().StringSliceVar(&spec.AlsoFor, "also", nil, "recipient names a unit user also answers for, e.g. 信访局")
	cmd.Flags().StringVar(&spec.DisplayName, "name", "", "display name, e.g. 督查组 张伟")
	cmd.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input")
	cmd.Flags().BoolVar(&spec.NoPassword, "no-password", false, "no password: API tokens only (integrations)")
	cmd.MarkFlagRequired("role")
	return cmd
}

func (a *app) usersListCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.listing(cmd, format, func(s *store.Store, loc *time.Location) error {
				us, err := s.ListUsers(cmd.Context())
				if err != nil {
					return err
				}
				type row struct {
					Username    string `json:"username"`
					DisplayName string `json:"name,omitempty"`
					Role        string `json:"role"`
					Unit        string `json:"unit,omitempty"`
					AlsoFor     string `json:"also,omitempty"`
					Password    bool   `json:"password"`
					Disabled    bool   `json:"disabled"`
					CreatedAt   string `json:"created_at"`
				}
				rows := make([]row, len(us))
				for i, u := range us {
					rows[i] = row{u.Username, u.DisplayName, u.Role, u.UnitCode, u.AlsoFor, u.PasswordHash != "", u.Disabled,
						u.CreatedAt.In(loc).Format(time.RFC3339)}
				}
				if format == "json" {
					return jsonLines(a.stdout, rows)
				}
				tw := columns.NewWriter(a.stdout)
				fmt.Fprintln(tw, "USERNAME\tNAME\tROLE\tUNIT\tALSO\tPASSWORD\tSTATE\tCREATED")
				for _, r := range rows {
					state := "active"
					if r.Disabled {
						state = "disabled"
					}
					pw := "yes"
					if !r.Password {
						pw = "tokens only"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Username, r.DisplayName, r.Role, r.Unit, r.AlsoFor, pw, state,
						r.CreatedAt[:10])
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func (a *app) usersSetDisabledCmd(disable bool) *cobra.Command {
	use, short, done := "enable USERNAME", "Enable a disabled user", "enabled"
	if disable {
		use, short, done = "disable USERNAME", "Disable a user: its sessions end and its tokens stop working", "disabled"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withStore(cmd, func(s *store.Store) error {
				if err := s.SetUserDisabled(cmd.Context(), args[0], disable); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s %s\n", done, args[0])
				return nil
			})
		},
	}
}

func (a *app) usersPasswdCmd() *cobra.Command {
	var stdin bool
	cmd := &cobra.Command{
		Use:   "passwd USERNAME",
		Short: "Set a user's password (generated and printed unless --password-stdin); ends its sessions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, generated := "", false
			if stdin {
				var err error
				if pw, err = readPassword(cmd); err != nil {
					return err
				}
			} else {
				pw, generated = auth.NewPassword(), true
			}
			h, err := auth.HashPassword(pw)
			if err != nil {
				return err
			}
			return a.withStore(cmd, func(s *store.Store) error {
				if err := s.SetPasswordHash(cmd.Context(), args[0], h); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "password of %s changed; its sessions ended\n", args[0])
				if generated {
					fmt.Fprintf(a.stdout, "password: %s\n", pw)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

func (a *app) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "API tokens (Authorization: Bearer TOKEN)"}
	var name, expires string
	create := &cobra.Command{
		Use:   "create USERNAME [--name LABEL] [--expires 90d]",
		Short: "Create an API token for a user; it is printed once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var until time.Time
			if expires != "" {
				d, err := parseDays(expires)
				if err != nil {
					return err
				}
				until = time.Now().Add(d)
			}
			return a.withStore(cmd, func(s *store.Store) error {
				secret, t, err := auth.CreateToken(cmd.Context(), s, args[0], name, until)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "token %d for %s", t.ID, args[0])
				if t.ExpiresAt != nil {
					fmt.Fprintf(a.stdout, ", expires %s", t.ExpiresAt.Format(time.RFC3339))
				}
				fmt.Fprintf(a.stdout, " (shown once):\n%s\n", secret)
				return nil
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "what the token is for")
	create.Flags().StringVar(&expires, "expires", "", "lifetime, e.g. 90d or 720h (default: no expiry)")
	var format string
	list := &cobra.Command{
		Use:   "list USERNAME",
		Short: "List a user's tokens",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.listing(cmd, format, func(s *store.Store, loc *time.Location) error {
				u, err := s.UserByName(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				ts, err := s.ListTokens(cmd.Context(), u.ID)
				if err != nil {
					return err
				}
				if format == "json" {
					return jsonLines(a.stdout, ts)
				}
				tw := columns.NewWriter(a.stdout)
				fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tCREATED\tEXPIRES\tLAST USED\tREVOKED")
				for _, t := range ts {
					fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, showTime(t.CreatedAt, loc),
						showTimePtr(t.ExpiresAt, loc), showTimePtr(t.LastUsedAt, loc), showTimePtr(t.RevokedAt, loc))
				}
				return tw.Flush()
			})
		},
	}
	list.Flags().StringVar(&format, "format", "text", "text or json")
	revoke := &cobra.Command{
		Use:   "revoke USERNAME TOKEN-ID",
		Short: "Revoke a token",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fmt.Errorf("TOKEN-ID %q: want the id `duban users token list` shows", args[1])
			}
			return a.withStore(cmd, func(s *store.Store) error {
				u, err := s.UserByName(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if err := s.RevokeToken(cmd.Context(), u.ID, id); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "revoked token %d of %s\n", id, args[0])
				return nil
			})
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func showTimePtr(t *time.Time, loc *time.Location) string {
	if t == nil {
		return "—"
	}
	return showTime(*t, loc)
}

// parseDays reads a duration, also in days (90d).
func parseDays(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q: want a lifetime like 90d or 720h", s)
	}
	return d, nil
}
