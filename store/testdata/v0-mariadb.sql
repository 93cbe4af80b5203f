
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;
DROP TABLE IF EXISTS `accountability_records`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `accountability_records` VALUES (1,1,'record','deadline.accountability/XF202500003/1','deadline.accountability','case','XF202500003','XF202500003','cgz-dj','通报批评','信访件 XF202500003 超期 16 个工作日未办结','{\"rule\":\"deadline.accountability\",\"subject\":\"XF202500003\",\"when\":\"let due = dueDate(Case, handling_days, max_extension_days); Case.Open && !due.IsZero() && workdaysSince(due) > accountability_workdays\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"handling_days\",\"value\":\"60\"},{\"expr\":\"max_extension_days\",\"value\":\"30\"},{\"expr\":\"due\",\"value\":\"2026-02-27T23:59:59+08:00\"},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"due.IsZero()\",\"value\":\"false\"},{\"expr\":\"!due.IsZero()\",\"value\":\"true\",\"part\":true},{\"expr\":\"workdaysSince(due)\",\"value\":\"16\"},{\"expr\":\"accountability_workdays\",\"value\":\"10\"},{\"expr\":\"workdaysSince(due) > accountability_workdays\",\"value\":\"true\",\"part\":true}]}',0,'','','2026-03-20 01:00:00.000','','4269324f25ada9ce5ee03fabef7302ac5fbd4d20da10808eb87a268de610fe9e');
INSERT INTO `accountability_records` VALUES (2,2,'record','handoff.accountability/XF202600016/1','handoff.accountability','case','XF202600016','XF202600016','信访局','提醒谈话','领导接访件 XF202600016 受理后 5 个工作日未交办（应次一工作日交办）','{\"rule\":\"handoff.accountability\",\"subject\":\"XF202600016\",\"when\":\"Case.Channel == \\\"leader_reception\\\" && Case.Open && not Case.Assigned && workdaysSince(Case.ReceivedAt) > accountability_workdays\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Channel\",\"value\":\"\\\"leader_reception\\\"\"},{\"expr\":\"Case.Channel == \\\"leader_reception\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Assigned\",\"value\":\"false\"},{\"expr\":\"not Case.Assigned\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.ReceivedAt\",\"value\":\"2026-03-13T09:00:00+08:00\"},{\"expr\":\"workdaysSince(Case.ReceivedAt)\",\"value\":\"5\"},{\"expr\":\"accountability_workdays\",\"value\":\"3\"},{\"expr\":\"workdaysSince(Case.ReceivedAt) > accountability_workdays\",\"value\":\"true\",\"part\":true}]}',0,'','','2026-03-20 01:00:00.000','4269324f25ada9ce5ee03fabef7302ac5fbd4d20da10808eb87a268de610fe9e','b28a3abdec24520aaefedab5fabf21e32e2e04cb3244689d0d6f9ae7366895e5');
INSERT INTO `accountability_records` VALUES (3,3,'record','handoff.accountability/XF202600020/1','handoff.accountability','case','XF202600020','XF202600020','信访局','提醒谈话','领导接访件 XF202600020 受理后 7 个工作日未交办（应次一工作日交办）','{\"rule\":\"handoff.accountability\",\"subject\":\"XF202600020\",\"when\":\"Case.Channel == \\\"leader_reception\\\" && Case.Open && not Case.Assigned && workdaysSince(Case.ReceivedAt) > accountability_workdays\",\"now\":\"2026-03-27T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Channel\",\"value\":\"\\\"leader_reception\\\"\"},{\"expr\":\"Case.Channel == \\\"leader_reception\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Assigned\",\"value\":\"false\"},{\"expr\":\"not Case.Assigned\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.ReceivedAt\",\"value\":\"2026-03-18T09:00:00+08:00\"},{\"expr\":\"workdaysSince(Case.ReceivedAt)\",\"value\":\"7\"},{\"expr\":\"accountability_workdays\",\"value\":\"3\"},{\"expr\":\"workdaysSince(Case.ReceivedAt) > accountability_workdays\",\"value\":\"true\",\"part\":true}]}',0,'','','2026-03-27 01:00:00.000','b28a3abdec24520aaefedab5fabf21e32e2e04cb3244689d0d6f9ae7366895e5','3914e544cb7d3e5fbc9b9db5743d8df6b5de35e5c82a9fd44c344a715885d1e2');
INSERT INTO `accountability_records` VALUES (4,4,'record','handoff.accountability/XF202600022/1','handoff.accountability','case','XF202600022','XF202600022','信访局','提醒谈话','领导接访件 XF202600022 受理后 5 个工作日未交办（应次一工作日交办）','{\"rule\":\"handoff.accountability\",\"subject\":\"XF202600022\",\"when\":\"Case.Channel == \\\"leader_reception\\\" && Case.Open && not Case.Assigned && workdaysSince(Case.ReceivedAt) > accountability_workdays\",\"now\":\"2026-03-27T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Channel\",\"value\":\"\\\"leader_reception\\\"\"},{\"expr\":\"Case.Channel == \\\"leader_reception\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Assigned\",\"value\":\"false\"},{\"expr\":\"not Case.Assigned\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.ReceivedAt\",\"value\":\"2026-03-20T08:30:00+08:00\"},{\"expr\":\"workdaysSince(Case.ReceivedAt)\",\"value\":\"5\"},{\"expr\":\"accountability_workdays\",\"value\":\"3\"},{\"expr\":\"workdaysSince(Case.ReceivedAt) > accountability_workdays\",\"value\":\"true\",\"part\":true}]}',0,'','','2026-03-27 01:00:00.000','3914e544cb7d3e5fbc9b9db5743d8df6b5de35e5c82a9fd44c344a715885d1e2','ae38c7d5ed531b53967d7c189f2f64356c2de0b5f23fc1af6a17f85acf72a06f');
DROP TABLE IF EXISTS `api_tokens`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
/*!40101 SET character_set_client = @saved_cs_client */;

DROP TABLE IF EXISTS `audit_heads`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `audit_heads` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `seq` bigint(20) NOT NULL,
  `hash` varchar(64) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `audit_heads` VALUES (1,4,'ae38c7d5ed531b53967d7c189f2f64356c2de0b5f23fc1af6a17f85acf72a06f','2026-03-27 01:00:00.000');
DROP TABLE IF EXISTS `case_events`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
/*!40101 SET character_set_client = @saved_cs_client */;

DROP TABLE IF EXISTS `cases`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=23 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `cases` VALUES (1,'XF202500001','P000013','李涛','letter','农村土地','反映农村土地问题，请求协调解决。',1,'2025-10-25 05:09:00.000','',NULL,'',NULL,NULL,NULL,'2025-10-28 05:09:00.000',NULL,'rejected',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (2,'XF202500002','P000015','潘海','online','民政救助','再次反映民政救助问题，对前次处理结果不满意。',3,'2025-11-25 05:23:00.000','','2025-11-26 11:23:00.000','mzj','2025-11-26 13:23:00.000','2026-01-24 15:59:59.999',NULL,'2025-11-30 10:23:00.000','2025-12-03 10:23:00.000','closed',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (3,'XF202500003','P000008','蒋艳','visit','邻里纠纷','反映邻里纠纷问题，请求协调解决。',1,'2025-12-30 01:00:00.000','','2025-12-31 01:00:00.000','cgz-dj','2025-12-31 03:00:00.000','2026-02-27 15:59:59.999',NULL,NULL,NULL,'assigned',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (4,'XF202600004','P000014','胡伟','online','市场监管','再次反映市场监管问题，对前次处理结果不满意。',1,'2026-01-01 08:28:00.000','','2026-01-02 10:28:00.000','scjgj','2026-01-02 12:28:00.000','2026-03-02 15:59:59.999',NULL,'2026-01-06 19:28:00.000','2026-01-09 19:28:00.000','closed',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (5,'XF202600005','P000009','丁强','leader_reception','农村土地','反映农村土地问题，请求协调解决。',1,'2026-01-15 01:00:00.000','吴静','2026-01-16 08:00:00.000','lqx','2026-01-16 10:00:00.000','2026-03-15 15:59:59.999','2026-04-04 15:59:59.999',NULL,NULL,'assigned',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (6,'XF202600006','P000016','杨伟','letter','农村土地','再次反映农村土地问题，对前次处理结果不满意。',1,'2026-01-19 03:36:00.000','','2026-01-20 02:36:00.000','nyncj','2026-01-20 04:36:00.000','2026-03-20 15:59:59.999',NULL,'2026-01-26 00:36:00.000','2026-01-29 00:36:00.000','closed',0,1,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (7,'XF202600007','P000007','蒋涛','online','环境污染','反映环境污染问题，请求协调解决。',1,'2026-01-20 01:00:00.000','','2026-01-21 11:00:00.000','sthjj','2026-01-21 13:00:00.000','2026-03-19 15:59:59.999',NULL,NULL,NULL,'assigned',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (8,'XF202600008','P000006','肖娟','visit','交通出行','反映交通出行问题，请求协调解决。',1,'2026-01-22 01:00:00.000','','2026-01-23 09:00:00.000','jtysj','2026-01-23 11:00:00.000','2026-03-20 15:59:59.999',NULL,NULL,NULL,'assigned',1,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (9,'XF202600009','P000011','张娟','letter','涉法涉诉','反映涉法涉诉问题，请求协调解决。',1,'2026-01-22 01:44:00.000','','2026-01-23 08:44:00.000','sfj','2026-01-23 10:44:00.000','2026-03-23 15:59:59.999',NULL,'2026-02-19 01:44:00.000',NULL,'closed',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (10,'XF202600010','P000014','胡伟','visit','市场监管','再次反映市场监管问题，对前次处理结果不满意。',1,'2026-01-29 00:46:00.000','','2026-01-30 08:46:00.000','scjgj','2026-01-30 10:46:00.000','2026-03-30 15:59:59.999',NULL,'2026-02-04 18:46:00.000','2026-02-07 18:46:00.000','closed',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (11,'XF202600011','P000015','潘海','online','民政救助','再次反映民政救助问题，对前次处理结果不满意。',1,'2026-02-08 02:23:00.000','','2026-02-09 11:23:00.000','mzj','2026-02-09 13:23:00.000','2026-04-09 15:59:59.999',NULL,'2026-02-14 04:23:00.000','2026-02-17 04:23:00.000','closed',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (12,'XF202600012','P000012','袁刚','online','环境污染','反映环境污染问题，请求协调解决。',1,'2026-02-08 04:35:00.000','','2026-02-09 02:35:00.000','gyyq','2026-02-09 04:35:00.000','2026-04-09 15:59:59.999',NULL,'2026-03-19 04:35:00.000',NULL,'closed',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (13,'XF202600013','P000004','林强','online','劳资纠纷','反映劳资纠纷问题，请求协调解决。',1,'2026-02-10 00:15:00.000','',NULL,'',NULL,NULL,NULL,NULL,NULL,'received',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (14,'XF202600014','P000014','胡伟','visit','市场监管','再次反映市场监管问题，对前次处理结果不满意。',1,'2026-02-24 04:28:00.000','','2026-02-25 11:28:00.000','scjgj','2026-02-25 13:28:00.000','2026-04-25 15:59:59.999',NULL,'2026-03-01 09:28:00.000','2026-03-04 09:28:00.000','closed',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (15,'XF202600015','P000010','胡华','online','劳资纠纷','反映劳资纠纷问题，请求协调解决。',1,'2026-03-03 07:51:00.000','','2026-03-04 05:51:00.000','',NULL,NULL,NULL,NULL,NULL,'accepted',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (16,'XF202600016','P000002','梁娜','leader_reception','医疗卫生','反映医疗卫生问题，请求协调解决。',1,'2026-03-13 01:00:00.000','赵强',NULL,'',NULL,NULL,NULL,NULL,NULL,'received',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (17,'XF202600017','P000014','胡伟','visit','市场监管','再次反映市场监管问题，对前次处理结果不满意。',1,'2026-03-17 00:21:00.000','','2026-03-18 13:21:00.000','scjgj','2026-03-18 15:21:00.000','2026-04-20 15:59:59.999',NULL,NULL,NULL,'assigned',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (18,'XF202600018','P000015','潘海','visit','民政救助','再次反映民政救助问题，对前次处理结果不满意。',22,'2026-03-17 00:28:00.000','','2026-03-18 10:28:00.000','mzj','2026-03-18 12:28:00.000','2026-04-24 15:59:59.999',NULL,NULL,NULL,'assigned',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (19,'XF202600019','P000016','杨伟','visit','农村土地','再次反映农村土地问题，对前次处理结果不满意。',1,'2026-03-17 03:51:00.000','','2026-03-18 14:51:00.000','nyncj','2026-03-18 16:51:00.000','2026-04-10 15:59:59.999',NULL,NULL,NULL,'assigned',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (20,'XF202600020','P000001','王海','leader_reception','教育','反映教育问题，请求协调解决。',1,'2026-03-18 01:00:00.000','郑华',NULL,'',NULL,NULL,NULL,NULL,NULL,'received',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (21,'XF202600021','P000005','陈静','online','征地拆迁','反映征地拆迁问题，请求协调解决。',1,'2026-03-19 06:33:00.000','',NULL,'',NULL,NULL,NULL,NULL,NULL,'received',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `cases` VALUES (22,'XF202600022','P000003','马国庆','leader_reception','城乡建设','反映城乡建设问题，请求协调解决。',1,'2026-03-20 00:30:00.000','孙伟',NULL,'',NULL,NULL,NULL,NULL,NULL,'received',0,0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
DROP TABLE IF EXISTS `deliveries`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
/*!40101 SET character_set_client = @saved_cs_client */;

DROP TABLE IF EXISTS `episodes`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=20 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `episodes` VALUES (1,'abnormal.repeat','petitioner','P000014',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (2,'roster.gap','reception_slot','2026-03-23/吴静',1,'2026-03-20 01:00:00.000','2026-03-27 01:00:00.000','20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (3,'roster.gap','reception_slot','2026-03-24/郑华',1,'2026-03-20 01:00:00.000','2026-03-27 01:00:00.000','20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (4,'deadline.accountability','case','XF202500003',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (5,'deadline.breach','case','XF202500003',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (6,'deadline.breach','case','XF202600007',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (7,'abnormal.escalated','case','XF202600008',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (8,'deadline.warning','case','XF202600008',1,'2026-03-20 01:00:00.000','2026-03-27 01:00:00.000','20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (9,'return_visit.missing','case','XF202600009',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (10,'acceptance.overdue','case','XF202600013',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (11,'handoff.accountability','case','XF202600016',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (12,'handoff.next_day','case','XF202600016',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (13,'abnormal.group','case','XF202600018',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (14,'handoff.next_day','case','XF202600020',1,'2026-03-20 01:00:00.000',NULL,'20260320T010000Z-8d95e2bc');
INSERT INTO `episodes` VALUES (15,'roster.gap','reception_slot','2026-04-01/孙伟',1,'2026-03-27 01:00:00.000',NULL,'20260327T010000Z-01f741fc');
INSERT INTO `episodes` VALUES (16,'deadline.breach','case','XF202600008',1,'2026-03-27 01:00:00.000',NULL,'20260327T010000Z-01f741fc');
INSERT INTO `episodes` VALUES (17,'handoff.accountability','case','XF202600020',1,'2026-03-27 01:00:00.000',NULL,'20260327T010000Z-01f741fc');
INSERT INTO `episodes` VALUES (18,'handoff.accountability','case','XF202600022',1,'2026-03-27 01:00:00.000',NULL,'20260327T010000Z-01f741fc');
INSERT INTO `episodes` VALUES (19,'handoff.next_day','case','XF202600022',1,'2026-03-27 01:00:00.000',NULL,'20260327T010000Z-01f741fc');
DROP TABLE IF EXISTS `flags`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `flags` VALUES (1,'XF202600010','重复访','abnormal.repeat','P000014','2026-03-20 01:00:00.000','{\"rule\":\"abnormal.repeat\",\"subject\":\"P000014\",\"when\":\"Petitioner.TopCategoryCount >= min_cases\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Petitioner.TopCategoryCount\",\"value\":\"4\"},{\"expr\":\"min_cases\",\"value\":\"3\"},{\"expr\":\"Petitioner.TopCategoryCount >= min_cases\",\"value\":\"true\",\"part\":true}]}','20260320T010000Z-8d95e2bc');
INSERT INTO `flags` VALUES (2,'XF202600014','重复访','abnormal.repeat','P000014','2026-03-20 01:00:00.000','{\"rule\":\"abnormal.repeat\",\"subject\":\"P000014\",\"when\":\"Petitioner.TopCategoryCount >= min_cases\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Petitioner.TopCategoryCount\",\"value\":\"4\"},{\"expr\":\"min_cases\",\"value\":\"3\"},{\"expr\":\"Petitioner.TopCategoryCount >= min_cases\",\"value\":\"true\",\"part\":true}]}','20260320T010000Z-8d95e2bc');
INSERT INTO `flags` VALUES (3,'XF202600017','重复访','abnormal.repeat','P000014','2026-03-20 01:00:00.000','{\"rule\":\"abnormal.repeat\",\"subject\":\"P000014\",\"when\":\"Petitioner.TopCategoryCount >= min_cases\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Petitioner.TopCategoryCount\",\"value\":\"4\"},{\"expr\":\"min_cases\",\"value\":\"3\"},{\"expr\":\"Petitioner.TopCategoryCount >= min_cases\",\"value\":\"true\",\"part\":true}]}','20260320T010000Z-8d95e2bc');
INSERT INTO `flags` VALUES (4,'XF202600008','越级访','abnormal.escalated','XF202600008','2026-03-20 01:00:00.000','{\"rule\":\"abnormal.escalated\",\"subject\":\"XF202600008\",\"when\":\"Case.Escalated\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Escalated\",\"value\":\"true\",\"part\":true}]}','20260320T010000Z-8d95e2bc');
INSERT INTO `flags` VALUES (5,'XF202600018','集体访','abnormal.group','XF202600018','2026-03-20 01:00:00.000','{\"rule\":\"abnormal.group\",\"subject\":\"XF202600018\",\"when\":\"Case.GroupSize >= group_min\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.GroupSize\",\"value\":\"22\"},{\"expr\":\"group_min\",\"value\":\"5\"},{\"expr\":\"Case.GroupSize >= group_min\",\"value\":\"true\",\"part\":true}]}','20260320T010000Z-8d95e2bc');
DROP TABLE IF EXISTS `leases`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
/*!40101 SET character_set_client = @saved_cs_client */;

DROP TABLE IF EXISTS `notices`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=14 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `notices` VALUES (1,1,'abnormal.repeat/P000014/1','abnormal.repeat','petitioner','P000014','','提醒','胡伟 90 天内就“市场监管”信访 4 次','信访人 胡伟 近 90 天内就同一事项（市场监管）信访 4 次， 最近一次为 XF202600017（2026-03-17）。请核查前次办理情况，做好化解稳控。','scjgj','[\"scjgj\",\"督查组\"]','open','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',1,NULL,'','',NULL,'{\"rule\":\"abnormal.repeat\",\"subject\":\"P000014\",\"when\":\"Petitioner.TopCategoryCount >= min_cases\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Petitioner.TopCategoryCount\",\"value\":\"4\"},{\"expr\":\"min_cases\",\"value\":\"3\"},{\"expr\":\"Petitioner.TopCategoryCount >= min_cases\",\"value\":\"true\",\"part\":true}]}','');
INSERT INTO `notices` VALUES (2,2,'roster.gap/2026-03-23/吴静/1','roster.gap','reception_slot','2026-03-23/吴静','','督办','2026-03-23 吴静 接访日无人替班','2026-03-23 的领导接访由 吴静 负责，该领导无法出席且未安排替班领导， 请于接访日前调整排班并公告。','信访局','[\"信访局\",\"督查组\"]','resolved','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',1,NULL,'','','2026-03-27 01:00:00.000','{\"rule\":\"roster.gap\",\"subject\":\"2026-03-23/吴静\",\"when\":\"not Slot.LeaderAvailable && Slot.Substitute == \\\"\\\" && daysUntil(Slot.Date) >= 0 && daysUntil(Slot.Date) <= lookahead_days\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Slot.LeaderAvailable\",\"value\":\"false\"},{\"expr\":\"not Slot.LeaderAvailable\",\"value\":\"true\",\"part\":true},{\"expr\":\"Slot.Substitute\",\"value\":\"\\\"\\\"\"},{\"expr\":\"Slot.Substitute == \\\"\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Slot.Date\",\"value\":\"2026-03-23T00:00:00+08:00\"},{\"expr\":\"daysUntil(Slot.Date)\",\"value\":\"3\"},{\"expr\":\"daysUntil(Slot.Date) >= 0\",\"value\":\"true\",\"part\":true},{\"expr\":\"lookahead_days\",\"value\":\"7\"},{\"expr\":\"daysUntil(Slot.Date) <= lookahead_days\",\"value\":\"true\",\"part\":true}]}','');
INSERT INTO `notices` VALUES (3,3,'roster.gap/2026-03-24/郑华/1','roster.gap','reception_slot','2026-03-24/郑华','','督办','2026-03-24 郑华 接访日无人替班','2026-03-24 的领导接访由 郑华 负责，该领导无法出席且未安排替班领导， 请于接访日前调整排班并公告。','信访局','[\"信访局\",\"督查组\"]','resolved','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',1,NULL,'','','2026-03-27 01:00:00.000','{\"rule\":\"roster.gap\",\"subject\":\"2026-03-24/郑华\",\"when\":\"not Slot.LeaderAvailable && Slot.Substitute == \\\"\\\" && daysUntil(Slot.Date) >= 0 && daysUntil(Slot.Date) <= lookahead_days\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Slot.LeaderAvailable\",\"value\":\"false\"},{\"expr\":\"not Slot.LeaderAvailable\",\"value\":\"true\",\"part\":true},{\"expr\":\"Slot.Substitute\",\"value\":\"\\\"\\\"\"},{\"expr\":\"Slot.Substitute == \\\"\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Slot.Date\",\"value\":\"2026-03-24T00:00:00+08:00\"},{\"expr\":\"daysUntil(Slot.Date)\",\"value\":\"4\"},{\"expr\":\"daysUntil(Slot.Date) >= 0\",\"value\":\"true\",\"part\":true},{\"expr\":\"lookahead_days\",\"value\":\"7\"},{\"expr\":\"daysUntil(Slot.Date) <= lookahead_days\",\"value\":\"true\",\"part\":true}]}','');
INSERT INTO `notices` VALUES (4,5,'deadline.breach/XF202500003/1','deadline.breach','case','XF202500003','XF202500003','督办','XF202500003 已超期 28 天','信访件 XF202500003（邻里纠纷）办理期限为 2026-02-27， 现已超期未办结。请责任单位说明情况并限期办结。','cgz-dj','[\"cgz-dj\",\"督查组\"]','open','2026-03-20 01:00:00.000','2026-03-27 01:00:00.000',2,NULL,'','',NULL,'{\"rule\":\"deadline.breach\",\"subject\":\"XF202500003\",\"when\":\"let due = dueDate(Case, handling_days, max_extension_days); Case.Open && !due.IsZero() && Now > due\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"handling_days\",\"value\":\"60\"},{\"expr\":\"max_extension_days\",\"value\":\"30\"},{\"expr\":\"due\",\"value\":\"2026-02-27T23:59:59+08:00\"},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"due.IsZero()\",\"value\":\"false\"},{\"expr\":\"!due.IsZero()\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-20T09:00:00+08:00\"},{\"expr\":\"Now > due\",\"value\":\"true\",\"part\":true}]}','20260327T010000Z-01f741fc');
INSERT INTO `notices` VALUES (5,6,'deadline.breach/XF202600007/1','deadline.breach','case','XF202600007','XF202600007','督办','XF202600007 已超期 8 天','信访件 XF202600007（环境污染）办理期限为 2026-03-19， 现已超期未办结。请责任单位说明情况并限期办结。','sthjj','[\"sthjj\",\"督查组\"]','open','2026-03-20 01:00:00.000','2026-03-27 01:00:00.000',2,NULL,'','',NULL,'{\"rule\":\"deadline.breach\",\"subject\":\"XF202600007\",\"when\":\"let due = dueDate(Case, handling_days, max_extension_days); Case.Open && !due.IsZero() && Now > due\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"handling_days\",\"value\":\"60\"},{\"expr\":\"max_extension_days\",\"value\":\"30\"},{\"expr\":\"due\",\"value\":\"2026-03-19T23:59:59+08:00\"},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"due.IsZero()\",\"value\":\"false\"},{\"expr\":\"!due.IsZero()\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-20T09:00:00+08:00\"},{\"expr\":\"Now > due\",\"value\":\"true\",\"part\":true}]}','20260327T010000Z-01f741fc');
INSERT INTO `notices` VALUES (6,8,'deadline.warning/XF202600008/1','deadline.warning','case','XF202600008','XF202600008','提醒','XF202600008 将于 2026-03-20 到期','信访件 XF202600008（交通出行）办理期限至 2026-03-20， 尚余 0 天，请抓紧办结。','jtysj','[\"jtysj\"]','resolved','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',1,NULL,'','','2026-03-27 01:00:00.000','{\"rule\":\"deadline.warning\",\"subject\":\"XF202600008\",\"when\":\"let due = dueDate(Case, handling_days, max_extension_days); Case.Open && !due.IsZero() && Now <= due && daysUntil(due) <= warning_days\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"handling_days\",\"value\":\"60\"},{\"expr\":\"max_extension_days\",\"value\":\"30\"},{\"expr\":\"due\",\"value\":\"2026-03-20T23:59:59+08:00\"},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"due.IsZero()\",\"value\":\"false\"},{\"expr\":\"!due.IsZero()\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-20T09:00:00+08:00\"},{\"expr\":\"Now <= due\",\"value\":\"true\",\"part\":true},{\"expr\":\"daysUntil(due)\",\"value\":\"0\"},{\"expr\":\"warning_days\",\"value\":\"5\"},{\"expr\":\"daysUntil(due) <= warning_days\",\"value\":\"true\",\"part\":true}]}','');
INSERT INTO `notices` VALUES (7,9,'return_visit.missing/XF202600009/1','return_visit.missing','case','XF202600009','XF202600009','提醒','XF202600009 办结 29 天未回访','信访件 XF202600009 于 2026-02-19 办结，请在 15 日内回访信访人并记录满意度。','sfj','[\"sfj\"]','open','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',1,NULL,'','',NULL,'{\"rule\":\"return_visit.missing\",\"subject\":\"XF202600009\",\"when\":\"Case.Status == \\\"closed\\\" && not Case.ReturnVisited && !Case.ClosedAt.IsZero() && Now > periodEnd(Case.ClosedAt, return_visit_days)\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Status\",\"value\":\"\\\"closed\\\"\"},{\"expr\":\"Case.Status == \\\"closed\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.ReturnVisited\",\"value\":\"false\"},{\"expr\":\"not Case.ReturnVisited\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.ClosedAt.IsZero()\",\"value\":\"false\"},{\"expr\":\"!Case.ClosedAt.IsZero()\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-20T09:00:00+08:00\"},{\"expr\":\"Case.ClosedAt\",\"value\":\"2026-02-19T09:44:00+08:00\"},{\"expr\":\"return_visit_days\",\"value\":\"15\"},{\"expr\":\"periodEnd(Case.ClosedAt, return_visit_days)\",\"value\":\"2026-03-06T23:59:59+08:00\"},{\"expr\":\"Now > periodEnd(Case.ClosedAt, return_visit_days)\",\"value\":\"true\",\"part\":true}]}','');
INSERT INTO `notices` VALUES (8,10,'acceptance.overdue/XF202600013/1','acceptance.overdue','case','XF202600013','XF202600013','督办','XF202600013 收件已 45 天未受理或转送','信访件 XF202600013（劳资纠纷）于 2026-02-10 收件， 应在 15 日内（2026-02-25 前）受理或转送，现已逾期。','信访局','[\"信访局\",\"督查组\"]','open','2026-03-20 01:00:00.000','2026-03-27 01:00:00.000',2,NULL,'','',NULL,'{\"rule\":\"acceptance.overdue\",\"subject\":\"XF202600013\",\"when\":\"Case.Open && not Case.Accepted && not Case.Assigned && Now > periodEnd(Case.ReceivedAt, acceptance_days)\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Accepted\",\"value\":\"false\"},{\"expr\":\"not Case.Accepted\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Assigned\",\"value\":\"false\"},{\"expr\":\"not Case.Assigned\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-20T09:00:00+08:00\"},{\"expr\":\"Case.ReceivedAt\",\"value\":\"2026-02-10T08:15:00+08:00\"},{\"expr\":\"acceptance_days\",\"value\":\"15\"},{\"expr\":\"periodEnd(Case.ReceivedAt, acceptance_days)\",\"value\":\"2026-02-25T23:59:59+08:00\"},{\"expr\":\"Now > periodEnd(Case.ReceivedAt, acceptance_days)\",\"value\":\"true\",\"part\":true}]}','20260327T010000Z-01f741fc');
INSERT INTO `notices` VALUES (9,12,'handoff.next_day/XF202600016/1','handoff.next_day','case','XF202600016','XF202600016','催办','XF202600016 领导接访件逾期未交办','赵强 于 2026-03-13 接访的信访件 XF202600016（医疗卫生）， 应于次一工作日交办责任单位，至今已 10 个工作日未交办，请立即交办。','信访局','[\"信访局\",\"督查组\"]','open','2026-03-20 01:00:00.000','2026-03-27 01:00:00.000',2,NULL,'','',NULL,'{\"rule\":\"handoff.next_day\",\"subject\":\"XF202600016\",\"when\":\"Case.Channel == \\\"leader_reception\\\" && Case.Open && not Case.Assigned && Now > endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Channel\",\"value\":\"\\\"leader_reception\\\"\"},{\"expr\":\"Case.Channel == \\\"leader_reception\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Assigned\",\"value\":\"false\"},{\"expr\":\"not Case.Assigned\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-20T09:00:00+08:00\"},{\"expr\":\"Case.ReceivedAt\",\"value\":\"2026-03-13T09:00:00+08:00\"},{\"expr\":\"handoff_workdays\",\"value\":\"1\"},{\"expr\":\"addWorkdays(Case.ReceivedAt, handoff_workdays)\",\"value\":\"2026-03-16T09:00:00+08:00\"},{\"expr\":\"endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"value\":\"2026-03-16T23:59:59+08:00\"},{\"expr\":\"Now > endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"value\":\"true\",\"part\":true}]}','20260327T010000Z-01f741fc');
INSERT INTO `notices` VALUES (10,14,'handoff.next_day/XF202600020/1','handoff.next_day','case','XF202600020','XF202600020','催办','XF202600020 领导接访件逾期未交办','郑华 于 2026-03-18 接访的信访件 XF202600020（教育）， 应于次一工作日交办责任单位，至今已 7 个工作日未交办，请立即交办。','信访局','[\"信访局\",\"督查组\"]','open','2026-03-20 01:00:00.000','2026-03-27 01:00:00.000',2,NULL,'','',NULL,'{\"rule\":\"handoff.next_day\",\"subject\":\"XF202600020\",\"when\":\"Case.Channel == \\\"leader_reception\\\" && Case.Open && not Case.Assigned && Now > endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"now\":\"2026-03-20T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Channel\",\"value\":\"\\\"leader_reception\\\"\"},{\"expr\":\"Case.Channel == \\\"leader_reception\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Assigned\",\"value\":\"false\"},{\"expr\":\"not Case.Assigned\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-20T09:00:00+08:00\"},{\"expr\":\"Case.ReceivedAt\",\"value\":\"2026-03-18T09:00:00+08:00\"},{\"expr\":\"handoff_workdays\",\"value\":\"1\"},{\"expr\":\"addWorkdays(Case.ReceivedAt, handoff_workdays)\",\"value\":\"2026-03-19T09:00:00+08:00\"},{\"expr\":\"endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"value\":\"2026-03-19T23:59:59+08:00\"},{\"expr\":\"Now > endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"value\":\"true\",\"part\":true}]}','20260327T010000Z-01f741fc');
INSERT INTO `notices` VALUES (11,15,'roster.gap/2026-04-01/孙伟/1','roster.gap','reception_slot','2026-04-01/孙伟','','督办','2026-04-01 孙伟 接访日无人替班','2026-04-01 的领导接访由 孙伟 负责，该领导无法出席且未安排替班领导， 请于接访日前调整排班并公告。','信访局','[\"信访局\",\"督查组\"]','open','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',1,NULL,'','',NULL,'{\"rule\":\"roster.gap\",\"subject\":\"2026-04-01/孙伟\",\"when\":\"not Slot.LeaderAvailable && Slot.Substitute == \\\"\\\" && daysUntil(Slot.Date) >= 0 && daysUntil(Slot.Date) <= lookahead_days\",\"now\":\"2026-03-27T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Slot.LeaderAvailable\",\"value\":\"false\"},{\"expr\":\"not Slot.LeaderAvailable\",\"value\":\"true\",\"part\":true},{\"expr\":\"Slot.Substitute\",\"value\":\"\\\"\\\"\"},{\"expr\":\"Slot.Substitute == \\\"\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Slot.Date\",\"value\":\"2026-04-01T00:00:00+08:00\"},{\"expr\":\"daysUntil(Slot.Date)\",\"value\":\"5\"},{\"expr\":\"daysUntil(Slot.Date) >= 0\",\"value\":\"true\",\"part\":true},{\"expr\":\"lookahead_days\",\"value\":\"7\"},{\"expr\":\"daysUntil(Slot.Date) <= lookahead_days\",\"value\":\"true\",\"part\":true}]}','');
INSERT INTO `notices` VALUES (12,16,'deadline.breach/XF202600008/1','deadline.breach','case','XF202600008','XF202600008','督办','XF202600008 已超期 7 天','信访件 XF202600008（交通出行）办理期限为 2026-03-20， 现已超期未办结。请责任单位说明情况并限期办结。','jtysj','[\"jtysj\",\"督查组\"]','open','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',1,NULL,'','',NULL,'{\"rule\":\"deadline.breach\",\"subject\":\"XF202600008\",\"when\":\"let due = dueDate(Case, handling_days, max_extension_days); Case.Open && !due.IsZero() && Now > due\",\"now\":\"2026-03-27T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"handling_days\",\"value\":\"60\"},{\"expr\":\"max_extension_days\",\"value\":\"30\"},{\"expr\":\"due\",\"value\":\"2026-03-20T23:59:59+08:00\"},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"due.IsZero()\",\"value\":\"false\"},{\"expr\":\"!due.IsZero()\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-27T09:00:00+08:00\"},{\"expr\":\"Now > due\",\"value\":\"true\",\"part\":true}]}','');
INSERT INTO `notices` VALUES (13,19,'handoff.next_day/XF202600022/1','handoff.next_day','case','XF202600022','XF202600022','催办','XF202600022 领导接访件逾期未交办','孙伟 于 2026-03-20 接访的信访件 XF202600022（城乡建设）， 应于次一工作日交办责任单位，至今已 5 个工作日未交办，请立即交办。','信访局','[\"信访局\",\"督查组\"]','open','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',1,NULL,'','',NULL,'{\"rule\":\"handoff.next_day\",\"subject\":\"XF202600022\",\"when\":\"Case.Channel == \\\"leader_reception\\\" && Case.Open && not Case.Assigned && Now > endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"now\":\"2026-03-27T09:00:00+08:00\",\"result\":true,\"values\":[{\"expr\":\"Case.Channel\",\"value\":\"\\\"leader_reception\\\"\"},{\"expr\":\"Case.Channel == \\\"leader_reception\\\"\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Open\",\"value\":\"true\",\"part\":true},{\"expr\":\"Case.Assigned\",\"value\":\"false\"},{\"expr\":\"not Case.Assigned\",\"value\":\"true\",\"part\":true},{\"expr\":\"Now\",\"value\":\"2026-03-27T09:00:00+08:00\"},{\"expr\":\"Case.ReceivedAt\",\"value\":\"2026-03-20T08:30:00+08:00\"},{\"expr\":\"handoff_workdays\",\"value\":\"1\"},{\"expr\":\"addWorkdays(Case.ReceivedAt, handoff_workdays)\",\"value\":\"2026-03-23T08:30:00+08:00\"},{\"expr\":\"endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"value\":\"2026-03-23T23:59:59+08:00\"},{\"expr\":\"Now > endOfDay(addWorkdays(Case.ReceivedAt, handoff_workdays))\",\"value\":\"true\",\"part\":true}]}','');
DROP TABLE IF EXISTS `outboxes`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=21 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `outboxes` VALUES (1,1,1,'notice/1/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (2,2,1,'notice/2/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (3,3,1,'notice/3/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (5,4,1,'notice/4/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (6,5,1,'notice/5/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (7,6,1,'notice/6/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (8,7,1,'notice/7/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (9,8,1,'notice/8/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (10,9,1,'notice/9/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (11,10,1,'notice/10/1','2026-03-20 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (12,11,1,'notice/11/1','2026-03-27 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (13,12,1,'notice/12/1','2026-03-27 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (14,13,1,'notice/13/1','2026-03-27 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (16,4,2,'notice/4/2','2026-03-27 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (17,5,2,'notice/5/2','2026-03-27 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (18,8,2,'notice/8/2','2026-03-27 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (19,9,2,'notice/9/2','2026-03-27 01:00:00.000',NULL);
INSERT INTO `outboxes` VALUES (20,10,2,'notice/10/2','2026-03-27 01:00:00.000',NULL);
DROP TABLE IF EXISTS `pending_checks`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `pending_checks` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `subject_kind` varchar(16) NOT NULL,
  `subject_key` varchar(128) NOT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `idx_check_key` (`subject_kind`,`subject_key`,`at`),
  KEY `idx_check_due` (`subject_kind`,`at`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

DROP TABLE IF EXISTS `people`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=35 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `people` VALUES (1,'王建国','xzf','leader','县委书记','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (2,'李明','xzf','leader','县长','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (3,'赵强','xzf','leader','常务副县长','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (4,'周红','xzf','leader','副县长','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (5,'孙伟','xzf','leader','副县长','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (6,'吴静','xzf','leader','副县长','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (7,'郑华','xzf','leader','县委副书记','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (8,'陈刚','xzf','leader','政法委书记','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (9,'韩芳','zjj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (10,'董静','rsj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (11,'魏丽','zrzyj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (12,'肖建华','gaj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (13,'魏秀兰','jyj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (14,'冯刚','wjj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (15,'董静','mzj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (16,'董国庆','scjgj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (17,'张平','jtysj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (18,'许玉兰','nyncj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (19,'任志强','sthjj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (20,'彭娟','cgj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (21,'沈秀英','sfj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (22,'黄秀兰','ybj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (23,'朱明','cgz','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (24,'林桂英','cgz-dj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (25,'杨敏','cgz-xj','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (26,'郭金凤','dgz','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (27,'魏明','hsz','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (28,'朱勇','lqx','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (29,'郑建华','qsx','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (30,'程芳','bmz','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (31,'孙娟','sjz','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (32,'黄洋','hpx','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (33,'赵军','xhz','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `people` VALUES (34,'杜霞','gyyq','handler','信访联络员','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
DROP TABLE IF EXISTS `petitioners`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=17 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `petitioners` VALUES (1,'P000014','胡伟','410105198410264182','16145627242','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (2,'P000016','杨伟','410108198510154150','18267925412','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (3,'P000008','蒋艳','410118198709129216','17174888360','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (4,'P000010','胡华','410128199902110649','17877438988','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (5,'P000015','潘海','410100197502235874','16292968614','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (6,'P000006','肖娟','410106197611212751','14944729018','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (7,'P000007','蒋涛','410101195810278470','13282976304','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (8,'P000001','王海','410112199401049471','17173706148','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (9,'P000005','陈静','410118197102194735','18475379793','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (10,'P000011','张娟','410124197208221380','14839043971','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (11,'P000012','袁刚','410123196905218101','16723189136','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (12,'P000002','梁娜','410112198108128142','14354884517','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (13,'P000003','马国庆','410102198109167667','16675049187','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (14,'P000004','林强','410121197206255935','15569340110','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (15,'P000009','丁强','410114197311108848','16899004424','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `petitioners` VALUES (16,'P000013','李涛','410121195605045515','16070122139','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
DROP TABLE IF EXISTS `reception_slots`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=145 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `reception_slots` VALUES (1,'2025-09-16','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (2,'2025-09-17','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (3,'2025-09-18','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (4,'2025-09-19','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (5,'2025-09-22','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (6,'2025-09-23','吴静',0,'周红','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (7,'2025-09-24','郑华',0,'孙伟','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (8,'2025-09-25','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (9,'2025-09-26','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (10,'2025-09-28','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (11,'2025-09-29','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (12,'2025-09-30','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (13,'2025-10-09','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (14,'2025-10-10','吴静',0,'周红','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (15,'2025-10-11','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (16,'2025-10-13','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (17,'2025-10-14','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (18,'2025-10-15','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (19,'2025-10-16','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (20,'2025-10-17','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (21,'2025-10-20','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (22,'2025-10-21','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (23,'2025-10-22','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (24,'2025-10-23','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (25,'2025-10-24','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (26,'2025-10-27','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (27,'2025-10-28','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (28,'2025-10-29','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (29,'2025-10-30','孙伟',0,'赵强','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (30,'2025-10-31','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (31,'2025-11-03','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (32,'2025-11-04','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (33,'2025-11-05','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (34,'2025-11-06','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (35,'2025-11-07','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (36,'2025-11-10','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (37,'2025-11-11','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (38,'2025-11-12','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (39,'2025-11-13','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (40,'2025-11-14','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (41,'2025-11-17','王建国',0,'郑华','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (42,'2025-11-18','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (43,'2025-11-19','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (44,'2025-11-20','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (45,'2025-11-21','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (46,'2025-11-24','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (47,'2025-11-25','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (48,'2025-11-26','陈刚',0,'吴静','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (49,'2025-11-27','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (50,'2025-11-28','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (51,'2025-12-01','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (52,'2025-12-02','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (53,'2025-12-03','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (54,'2025-12-04','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (55,'2025-12-05','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (56,'2025-12-08','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (57,'2025-12-09','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (58,'2025-12-10','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (59,'2025-12-11','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (60,'2025-12-12','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (61,'2025-12-15','孙伟',0,'赵强','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (62,'2025-12-16','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (63,'2025-12-17','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (64,'2025-12-18','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (65,'2025-12-19','王建国',0,'郑华','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (66,'2025-12-22','李明',0,'陈刚','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (67,'2025-12-23','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (68,'2025-12-24','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (69,'2025-12-25','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (70,'2025-12-26','吴静',0,'周红','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (71,'2025-12-29','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (72,'2025-12-30','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (73,'2025-12-31','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (74,'2026-01-04','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (75,'2026-01-05','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (76,'2026-01-06','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (77,'2026-01-07','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (78,'2026-01-08','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (79,'2026-01-09','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (80,'2026-01-12','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (81,'2026-01-13','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (82,'2026-01-14','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (83,'2026-01-15','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (84,'2026-01-16','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (85,'2026-01-19','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (86,'2026-01-20','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (87,'2026-01-21','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (88,'2026-01-22','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (89,'2026-01-23','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (90,'2026-01-26','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (91,'2026-01-27','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (92,'2026-01-28','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (93,'2026-01-29','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (94,'2026-01-30','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (95,'2026-02-02','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (96,'2026-02-03','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (97,'2026-02-04','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (98,'2026-02-05','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (99,'2026-02-06','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (100,'2026-02-09','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (101,'2026-02-10','孙伟',0,'赵强','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (102,'2026-02-11','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (103,'2026-02-12','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (104,'2026-02-13','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (105,'2026-02-14','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (106,'2026-02-24','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (107,'2026-02-25','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (108,'2026-02-26','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (109,'2026-02-27','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (110,'2026-02-28','吴静',0,'周红','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (111,'2026-03-02','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (112,'2026-03-03','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (113,'2026-03-04','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (114,'2026-03-05','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (115,'2026-03-06','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (116,'2026-03-09','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (117,'2026-03-10','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (118,'2026-03-11','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (119,'2026-03-12','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (120,'2026-03-13','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (121,'2026-03-16','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (122,'2026-03-17','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (123,'2026-03-18','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (124,'2026-03-19','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (125,'2026-03-20','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (126,'2026-03-23','吴静',0,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (127,'2026-03-24','郑华',0,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (128,'2026-03-25','陈刚',0,'周红','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (129,'2026-03-26','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (130,'2026-03-27','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (131,'2026-03-30','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (132,'2026-03-31','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (133,'2026-04-01','孙伟',0,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (134,'2026-04-02','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (135,'2026-04-03','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (136,'2026-04-07','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (137,'2026-04-08','王建国',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (138,'2026-04-09','李明',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (139,'2026-04-10','赵强',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (140,'2026-04-13','周红',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (141,'2026-04-14','孙伟',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (142,'2026-04-15','吴静',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (143,'2026-04-16','郑华',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `reception_slots` VALUES (144,'2026-04-17','陈刚',1,'','县信访接待中心','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
DROP TABLE IF EXISTS `rule_runs`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=23 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `rule_runs` VALUES (1,'20260320T010000Z-8d95e2bc','abnormal.repeat','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',53,15,1,1,0,0,3,0,0,'','vm','full','b581e5a19e62c97ec3de75476ca4a9ed','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (2,'20260320T010000Z-8d95e2bc','roster.gap','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',54,3,2,2,0,0,0,0,0,'','vm','full','bd24637f7ec6cec5fb6f84db212c42ae','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (3,'20260320T010000Z-8d95e2bc','abnormal.escalated','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,1,1,0,0,1,0,0,'','vm','full','e247fcd3606ca991f8a805daa80511c8','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (4,'20260320T010000Z-8d95e2bc','abnormal.group','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,1,1,0,0,1,0,0,'','vm','full','dc7d82b34affc1b05a6a6607312930bd','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (5,'20260320T010000Z-8d95e2bc','acceptance.overdue','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,1,1,0,0,0,0,0,'','vm','full','6c300c2720f4353e4e2af1bd13f5ae74','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (6,'20260320T010000Z-8d95e2bc','deadline.accountability','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,1,1,0,0,0,1,0,'','vm','full','3fe02263809f21dac3e3c41c9f1bee09','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (7,'20260320T010000Z-8d95e2bc','deadline.breach','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,2,2,0,0,0,0,0,'','vm','full','e11b132ca8921820985ded1486f66b7f','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (8,'20260320T010000Z-8d95e2bc','deadline.warning','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,1,1,0,0,0,0,0,'','vm','full','10502d18335fddcbd39ed282d7d850c8','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (9,'20260320T010000Z-8d95e2bc','handoff.accountability','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,1,1,0,0,0,1,0,'','vm','full','923247ef7a23ea197943abb4f8bc0c64','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (10,'20260320T010000Z-8d95e2bc','handoff.next_day','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,2,2,0,0,0,0,0,'','vm','full','7b7dc3cb1baf42b5d41e48355007e13f','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (11,'20260320T010000Z-8d95e2bc','return_visit.missing','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000',83,15,1,1,0,0,0,0,0,'','vm','full','d817c858143889f65999e437991c05c4','2026-03-20 01:00:00.000');
INSERT INTO `rule_runs` VALUES (12,'20260327T010000Z-01f741fc','abnormal.repeat','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',14,15,1,0,0,0,0,0,0,'','vm','full','b581e5a19e62c97ec3de75476ca4a9ed','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (13,'20260327T010000Z-01f741fc','abnormal.escalated','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,1,0,0,0,0,0,0,'','vm','full','e247fcd3606ca991f8a805daa80511c8','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (14,'20260327T010000Z-01f741fc','abnormal.group','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,1,0,0,0,0,0,0,'','vm','full','dc7d82b34affc1b05a6a6607312930bd','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (15,'20260327T010000Z-01f741fc','roster.gap','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',34,3,1,1,0,2,0,0,0,'','vm','full','bd24637f7ec6cec5fb6f84db212c42ae','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (16,'20260327T010000Z-01f741fc','acceptance.overdue','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,1,0,1,0,0,0,0,'','vm','full','6c300c2720f4353e4e2af1bd13f5ae74','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (17,'20260327T010000Z-01f741fc','deadline.accountability','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,1,0,0,0,0,0,0,'','vm','full','3fe02263809f21dac3e3c41c9f1bee09','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (18,'20260327T010000Z-01f741fc','deadline.breach','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,3,1,2,0,0,0,0,'','vm','full','e11b132ca8921820985ded1486f66b7f','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (19,'20260327T010000Z-01f741fc','deadline.warning','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,0,0,0,1,0,0,0,'','vm','full','10502d18335fddcbd39ed282d7d850c8','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (20,'20260327T010000Z-01f741fc','handoff.accountability','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,3,2,0,0,0,2,0,'','vm','full','923247ef7a23ea197943abb4f8bc0c64','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (21,'20260327T010000Z-01f741fc','handoff.next_day','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,3,1,2,0,0,0,0,'','vm','full','7b7dc3cb1baf42b5d41e48355007e13f','2026-03-27 01:00:00.000');
INSERT INTO `rule_runs` VALUES (22,'20260327T010000Z-01f741fc','return_visit.missing','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000','2026-03-27 01:00:00.000',31,15,1,0,0,0,0,0,0,'','vm','full','d817c858143889f65999e437991c05c4','2026-03-27 01:00:00.000');
DROP TABLE IF EXISTS `sessions`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
/*!40101 SET character_set_client = @saved_cs_client */;

DROP TABLE IF EXISTS `settings`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `settings` (
  `name` varchar(64) NOT NULL,
  `value` text DEFAULT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `settings` VALUES ('demo.seed','1','2026-03-20 01:00:00.000');
INSERT INTO `settings` VALUES ('schema.version','3b258740cd15efcd','2026-03-20 01:00:00.000');
DROP TABLE IF EXISTS `units`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=31 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `units` VALUES (1,'xw','中共示范县委员会','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (2,'xzf','示范县人民政府','','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (3,'xfj','县信访局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (4,'dcs','县委县政府督查室','xw','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (5,'zjj','县住房和城乡建设局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (6,'rsj','县人力资源和社会保障局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (7,'zrzyj','县自然资源局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (8,'gaj','县公安局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (9,'jyj','县教育局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (10,'wjj','县卫生健康局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (11,'mzj','县民政局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (12,'scjgj','县市场监督管理局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (13,'jtysj','县交通运输局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (14,'nyncj','县农业农村局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (15,'sthjj','县生态环境局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (16,'cgj','县城市管理局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (17,'sfj','县司法局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (18,'ybj','县医疗保障局','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (19,'cgz','城关镇人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (20,'cgz-dj','城关镇东街社区','cgz','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (21,'cgz-xj','城关镇西街社区','cgz','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (22,'dgz','东关镇人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (23,'hsz','河西镇人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (24,'lqx','柳泉乡人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (25,'qsx','青山乡人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (26,'bmz','白马镇人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (27,'sjz','三江镇人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (28,'hpx','和平乡人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (29,'xhz','新华镇人民政府','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `units` VALUES (30,'gyyq','县工业园区管委会','xzf','2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
DROP TABLE IF EXISTS `users`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
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
) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
/*!40101 SET character_set_client = @saved_cs_client */;

INSERT INTO `users` VALUES (1,'admin','系统管理员','admin','','','$2a$12$4EPE2GQqfpxCeEARWbgBpOtaxgZtUJh9BFp4brRiC/c8lh4qfO5CG',0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `users` VALUES (2,'duchazu','督查组 张伟','supervisor','','','$2a$12$4EPE2GQqfpxCeEARWbgBpOtaxgZtUJh9BFp4brRiC/c8lh4qfO5CG',0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `users` VALUES (3,'zjj','住建局 信访联络员','unit','zjj','','$2a$12$4EPE2GQqfpxCeEARWbgBpOtaxgZtUJh9BFp4brRiC/c8lh4qfO5CG',0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `users` VALUES (4,'cgz','城关镇 信访办','unit','cgz','','$2a$12$4EPE2GQqfpxCeEARWbgBpOtaxgZtUJh9BFp4brRiC/c8lh4qfO5CG',0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `users` VALUES (5,'xfj','县信访局 受理科','unit','xfj','信访局','$2a$12$4EPE2GQqfpxCeEARWbgBpOtaxgZtUJh9BFp4brRiC/c8lh4qfO5CG',0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
INSERT INTO `users` VALUES (6,'jijian','纪检组 刘芳','inspector','','','$2a$12$4EPE2GQqfpxCeEARWbgBpOtaxgZtUJh9BFp4brRiC/c8lh4qfO5CG',0,'2026-03-20 01:00:00.000','2026-03-20 01:00:00.000');
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

