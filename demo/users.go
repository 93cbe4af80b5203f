package demo

import (
	"context"
	"fmt"

	"duban/auth"
	"duban/models"
	"duban/store"
)

// DemoUser is a user the demo creates, one per role, so that each role's
// pages can be tried at once.
type DemoUser struct {
	Username, Name, Role, Unit, AlsoFor string
}

// Users are the demo's users.
var Users = []DemoUser{
	{Username: "admin", Name: "系统管理员", Role: models.RoleAdmin},
	{Username: "duchazu", Name: "督查组 张伟", Role: models.RoleSupervisor},
	{Username: "zjj", Name: "住建局 信访联络员", Role: models.RoleUnit, Unit: "zjj"},
	{Username: "cgz", Name: "城关镇 信访办", Role: models.RoleUnit, Unit: "cgz"},
	{Username: "xfj", Name: "县信访局 受理科", Role: models.RoleUnit, Unit: "xfj", AlsoFor: "信访局"},
	{Username: "jijian", Name: "纪检组 刘芳", Role: models.RoleInspector},
}

// AddUsers creates the demo users, all with the same password.
func AddUsers(ctx context.Context, s *store.Store, password string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return fmt.Errorf("demo users: %w", err)
	}
	for _, u := range Users {
		m := &models.User{Username: u.Username, DisplayName: u.Name, Role: u.Role, UnitCode: u.Unit, AlsoFor: u.AlsoFor, PasswordHash: hash}
		if err := s.CreateUser(ctx, m); err != nil {
			return fmt.Errorf("demo user %s: %w", u.Username, err)
		}
	}
	return nil
}
