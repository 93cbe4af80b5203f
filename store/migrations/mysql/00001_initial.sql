-- Migration 1: the schema as the binaries before versioned migrations made it
-- (gorm AutoMigrate of models.All(), ENGINE=InnoDB utf8mb4_bin), as SHOW CREATE TABLE gives it.
CREATE TABLE `units` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `code` varchar(64) NOT NULL,
  `name` varchar(128) NOT NULL,
  `parent_code` varchar(64) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_units_code` (`code`),
  KEY `idx_units_parent_code` (`parent_code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `people` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(64) NOT NULL,
  `unit_code` varchar(64) DEFAULT NULL,
  `role` varchar(32) NOT NULL,
  `title` varchar(64) DEFAULT NULL,
  `phone` varchar(32) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_person_name_unit` (`name`,`unit_code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `petitioners` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `petitioner_key` varchar(64) NOT NULL,
  `name` varchar(64) DEFAULT NULL,
  `id_number` varchar(32) DEFAULT NULL,
  `phone` varchar(32) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_petitioners_key` (`petitioner_key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `cases` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `case_no` varchar(64) NOT NULL,
  `petitioner_key` varchar(64) DEFAULT NULL,
  `petitioner_name` varchar(64) DEFAULT NULL,
  `channel` varchar(32) NOT NULL,
  `category` varchar(64) DEFAULT NULL,
  `summary` text DEFAULT NULL,
  `group_size` bigint(20) NOT NULL DEFAULT 1,
  `received_at` datetime(3) NOT NULL,
  `reception_leader` varchar(64) DEFAULT NULL,
  `accepted_at` datetime(3) DEFAULT NULL,
  `assigned_unit` varchar(64) DEFAULT NULL,
  `assigned_at` datetime(3) DEFAULT NULL,
  `due_at` datetime(3) DEFAULT NULL,
  `extended_due_at` datetime(3) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `return_visit_at` datetime(3) DEFAULT NULL,
  `status` varchar(16) NOT NULL,
  `escalated` tinyint(1) NOT NULL DEFAULT 0,
  `law_related` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_cases_case_no` (`case_no`),
  KEY `idx_case_unit_id` (`assigned_unit`,`id`),
  KEY `idx_case_petitioner` (`petitioner_key`,`received_at`),
  KEY `idx_cases_updated_at` (`updated_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `case_events` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `case_no` varchar(64) NOT NULL,
  `kind` varchar(32) NOT NULL,
  `at` datetime(3) NOT NULL,
  `actor` varchar(64) DEFAULT NULL,
  `unit_code` varchar(64) DEFAULT NULL,
  `detail` text DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_event_case` (`case_no`,`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `reception_slots` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `date` varchar(10) NOT NULL,
  `leader` varchar(64) NOT NULL,
  `leader_available` tinyint(1) NOT NULL,
  `substitute` varchar(64) DEFAULT NULL,
  `location` varchar(128) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_slot_date_leader` (`date`,`leader`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `episodes` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `rule_id` varchar(96) NOT NULL,
  `subject_kind` varchar(16) NOT NULL,
  `subject_key` varchar(128) NOT NULL,
  `seq` bigint(20) NOT NULL,
  `opened_at` datetime(3) NOT NULL,
  `resolved_at` datetime(3) DEFAULT NULL,
  `tick_id` varchar(48) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_episode_key` (`rule_id`,`subject_key`,`seq`),
  KEY `idx_episode_open` (`rule_id`,`resolved_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `notices` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `episode_id` bigint(20) unsigned NOT NULL,
  `dedup_key` varchar(255) NOT NULL,
  `rule_id` varchar(96) NOT NULL,
  `subject_kind` varchar(16) NOT NULL,
  `subject_key` varchar(128) NOT NULL,
  `case_no` varchar(64) DEFAULT NULL,
  `level` varchar(16) NOT NULL,
  `title` varchar(512) NOT NULL,
  `body` text DEFAULT NULL,
  `unit_code` varchar(64) DEFAULT NULL,
  `recipients` varchar(1024) DEFAULT NULL,
  `status` varchar(16) NOT NULL,
  `raised_at` datetime(3) NOT NULL,
  `last_sent_at` datetime(3) NOT NULL,
  `send_count` bigint(20) NOT NULL,
  `acked_at` datetime(3) DEFAULT NULL,
  `acked_by` varchar(64) DEFAULT NULL,
  `ack_comment` varchar(1024) DEFAULT NULL,
  `resolved_at` datetime(3) DEFAULT NULL,
  `evidence` text DEFAULT NULL,
  `sent_tick` varchar(48) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_notices_episode_id` (`episode_id`),
  KEY `idx_notice_rule_status` (`rule_id`,`status`,`last_sent_at`),
  KEY `idx_notice_counts` (`status`,`unit_code`,`level`,`rule_id`),
  KEY `idx_notice_status_rule` (`status`,`rule_id`),
  KEY `idx_notices_case_no` (`case_no`),
  KEY `idx_notice_level_id` (`level`),
  KEY `idx_notice_status_level` (`status`,`level`),
  KEY `idx_notice_month` (`raised_at`,`unit_code`,`level`),
  KEY `idx_notice_unit_id` (`unit_code`),
  KEY `idx_notice_status_id` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `outboxes` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `notice_id` bigint(20) unsigned NOT NULL,
  `send_seq` bigint(20) NOT NULL,
  `idem_key` varchar(128) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `dispatched_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_outboxes_idem_key` (`idem_key`),
  KEY `idx_outboxes_notice_id` (`notice_id`),
  KEY `idx_outboxes_dispatched_at` (`dispatched_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `flags` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `case_no` varchar(64) NOT NULL,
  `label` varchar(32) NOT NULL,
  `rule_id` varchar(96) NOT NULL,
  `subject` varchar(128) DEFAULT NULL,
  `set_at` datetime(3) NOT NULL,
  `evidence` text DEFAULT NULL,
  `tick_id` varchar(48) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_flag_key` (`case_no`,`label`,`rule_id`),
  KEY `idx_flags_label` (`label`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `accountability_records` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `seq` bigint(20) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `dedup_key` varchar(255) NOT NULL,
  `rule_id` varchar(96) DEFAULT NULL,
  `subject_kind` varchar(16) DEFAULT NULL,
  `subject_key` varchar(128) DEFAULT NULL,
  `case_no` varchar(64) DEFAULT NULL,
  `unit_code` varchar(64) DEFAULT NULL,
  `grade` varchar(32) DEFAULT NULL,
  `reason` text DEFAULT NULL,
  `evidence` text DEFAULT NULL,
  `ref_seq` bigint(20) NOT NULL DEFAULT 0,
  `decision` varchar(16) DEFAULT NULL,
  `reviewer` varchar(64) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `prev_hash` varchar(64) NOT NULL,
  `hash` varchar(64) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_accountability_records_seq` (`seq`),
  UNIQUE KEY `idx_accountability_records_dedup_key` (`dedup_key`),
  KEY `idx_accountability_records_subject_key` (`subject_key`),
  KEY `idx_accountability_records_case_no` (`case_no`),
  KEY `idx_accountability_records_unit_code` (`unit_code`),
  KEY `idx_accountability_records_ref_seq` (`ref_seq`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `audit_heads` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `seq` bigint(20) NOT NULL,
  `hash` varchar(64) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `rule_runs` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `tick_id` varchar(64) NOT NULL,
  `rule_id` varchar(96) NOT NULL,
  `now` datetime(3) NOT NULL,
  `started_at` datetime(3) NOT NULL,
  `finished_at` datetime(3) NOT NULL,
  `duration_ms` bigint(20) NOT NULL,
  `subjects` bigint(20) NOT NULL,
  `fired` bigint(20) NOT NULL,
  `raised` bigint(20) NOT NULL,
  `reraised` bigint(20) NOT NULL,
  `resolved` bigint(20) NOT NULL,
  `flags` bigint(20) NOT NULL,
  `accountability` bigint(20) NOT NULL,
  `errors` bigint(20) NOT NULL,
  `first_error` text DEFAULT NULL,
  `host` varchar(128) DEFAULT NULL,
  `mode` varchar(16) NOT NULL DEFAULT '',
  `state_key` varchar(64) NOT NULL DEFAULT '',
  `full_now` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_rule_runs_tick_id` (`tick_id`),
  KEY `idx_rulerun_rule_started` (`rule_id`,`started_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `settings` (
  `name` varchar(64) NOT NULL,
  `value` text DEFAULT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `pending_checks` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `subject_kind` varchar(16) NOT NULL,
  `subject_key` varchar(128) NOT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_check_key` (`subject_kind`,`subject_key`,`at`),
  KEY `idx_check_due` (`subject_kind`,`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `leases` (
  `name` varchar(64) NOT NULL,
  `holder` varchar(128) NOT NULL,
  `epoch` bigint(20) NOT NULL,
  `renewals` bigint(20) NOT NULL,
  `acquired_at` datetime(3) NOT NULL,
  `renewed_at` datetime(3) NOT NULL,
  `expires_at` datetime(3) NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `deliveries` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `outbox_id` bigint(20) unsigned NOT NULL,
  `channel` varchar(64) NOT NULL,
  `notice_id` bigint(20) unsigned NOT NULL,
  `send_seq` bigint(20) NOT NULL,
  `idem_key` varchar(128) NOT NULL,
  `status` varchar(16) NOT NULL,
  `next_attempt_at` datetime(3) NOT NULL,
  `attempts` bigint(20) NOT NULL,
  `last_error` varchar(1024) DEFAULT NULL,
  `last_attempt_at` datetime(3) DEFAULT NULL,
  `sent_at` datetime(3) DEFAULT NULL,
  `retry_from` datetime(3) NOT NULL,
  `claim_token` varchar(64) DEFAULT NULL,
  `claimed_by` varchar(128) DEFAULT NULL,
  `claim_until` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_delivery_key` (`outbox_id`,`channel`),
  KEY `idx_deliveries_notice_id` (`notice_id`),
  KEY `idx_delivery_due` (`status`,`next_attempt_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `users` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `username` varchar(64) NOT NULL,
  `display_name` varchar(64) DEFAULT NULL,
  `role` varchar(16) NOT NULL,
  `unit_code` varchar(64) DEFAULT NULL,
  `also_for` varchar(256) DEFAULT NULL,
  `password_hash` varchar(128) DEFAULT NULL,
  `disabled` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_users_username` (`username`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `api_tokens` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `user_id` bigint(20) unsigned NOT NULL,
  `name` varchar(64) DEFAULT NULL,
  `hash` varchar(64) NOT NULL,
  `prefix` varchar(16) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `expires_at` datetime(3) DEFAULT NULL,
  `last_used_at` datetime(3) DEFAULT NULL,
  `revoked_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_api_tokens_hash` (`hash`),
  KEY `idx_api_tokens_user_id` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE `sessions` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `hash` varchar(64) NOT NULL,
  `user_id` bigint(20) unsigned NOT NULL,
  `csrf` varchar(64) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `last_seen_at` datetime(3) NOT NULL,
  `expires_at` datetime(3) NOT NULL,
  `ended_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_sessions_hash` (`hash`),
  KEY `idx_sessions_user_id` (`user_id`),
  KEY `idx_sessions_expires_at` (`expires_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

