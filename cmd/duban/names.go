package main

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"duban/clock"
	"duban/models"
	"duban/rules"
	"duban/store"
)

// names puts the names people read beside the codes listings print: unit
// names beside unit codes, rule names beside rule ids, petitioners' names
// beside their ids.
type names struct {
	units *unitIndex
	rules *rules.RuleSet // the built-in pack: names of the rules it defines
}

func (a *app) names(ctx context.Context, s *store.Store, recipients bool) (*names, error) {
	ix, err := loadUnitIndex(ctx, s, recipients)
	if err != nil {
		return nil, err
	}
	rs, err := rules.Load(rules.Defaults(), rules.Options{Now: clock.Real{}.Now()})
	if err != nil {
		return nil, err
	}
	return &names{units: ix, rules: rs}, nil
}

// rule is "id name", or the id of a rule the built-in pack does not define.
func (nm *names) rule(id string) string {
	if r := nm.rules.Rule(id); r != nil && r.Name != "" {
		return id + " " + r.Name
	}
	return id
}

// checkRule refuses a --rule that is neither a built-in rule nor one that
// raised anything in the database.
func (nm *names) checkRule(ctx context.Context, s *store.Store, id string) error {
	if id == "" || nm.rules.Rule(id) != nil {
		return nil
	}
	valid := map[string]bool{}
	for _, r := range nm.rules.Rules {
		valid[r.ID] = true
	}
	for _, m := range []any{&models.Notice{}, &models.AccountabilityRecord{}, &models.Flag{}} {
		var ids []string
		if err := s.DB.WithContext(ctx).Model(m).Distinct("rule_id").Pluck("rule_id", &ids).Error; err != nil {
			return err
		}
		for _, i := range ids {
			valid[i] = i != ""
		}
	}
	if valid[id] {
		return nil
	}
	var list []string
	for i, ok := range valid {
		if ok {
			list = append(list, i)
		}
	}
	sort.Strings(list)
	return oneOf("--rule", id, list)
}

// subjects labels subject keys: a petitioner's id gets the name beside it.
func (nm *names) subjects(ctx context.Context, s *store.Store, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	var want []string
	for _, k := range keys {
		out[k] = dash(k)
		if k != "" && !slices.Contains(want, k) {
			want = append(want, k)
		}
	}
	for chunk := range slices.Chunk(want, 500) {
		var pets []models.Petitioner
		if err := s.DB.WithContext(ctx).Select("petitioner_key", "name").Where("petitioner_key IN ?", chunk).Find(&pets).Error; err != nil {
			return nil, err
		}
		for _, p := range pets {
			if p.Name != "" {
				out[p.Key] = fmt.Sprintf("%s %s", p.Key, p.Name)
			}
		}
	}
	return out, nil
}

func noticeSubjects(ns []models.Notice) []string {
	keys := make([]string, 0, len(ns))
	for _, n := range ns {
		keys = append(keys, n.SubjectKey)
	}
	return keys
}
