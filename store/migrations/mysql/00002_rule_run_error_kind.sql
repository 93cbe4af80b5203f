-- Migration 2 (expand): what failed first in a rule's tick (engine.Fail*),
-- so that /healthz can say it without quoting the error's text. Binaries
-- that predate it neither read nor write the column; its default covers
-- their rows.
ALTER TABLE `rule_runs` ADD COLUMN `first_error_kind` varchar(16) NOT NULL DEFAULT '';
