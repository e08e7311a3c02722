//! The seed catalog: every line of the production pre-flight checklist that
//! preflight starts from, as one table.
//!
//! [`SEED`] has one row per checklist line (`- [ ] ...`) of the seed checklist,
//! which is kept verbatim in `preflight-probes/seed/production-preflight-checklist.md`;
//! the rows are sorted by ID. A row carries the line exactly as the seed writes
//! it (title, the `###` group heading it sits under, and its position among the
//! seed's 240 lines) together with what the seed leaves to judgement: severity,
//! owning sign-off role, applicability (only lines marked "(if applicable)" may
//! be declared not applicable) and phase (pre-launch, or the post-launch week
//! or month the line is due in).
//!
//! Each row is an attested item — a person signs it off — until a probe with
//! the same ID is registered. The probe then implements the line and must
//! declare the same title, group, severity, owner, applicability and phase;
//! the registry enforces this, so a probe can never quietly change what the
//! checklist asks for.
//!
//! IDs are stable API: configuration files, waivers, attestations and reports
//! refer to them. An ID never changes, not even when its item becomes automated.

use preflight_core::meta::CatalogEntry;

/// One row of [`SEED`]: ID, position, group, severity, owner, applicability,
/// phase, title.
macro_rules! row {
    (
        $id:literal, $position:literal, $group:literal, $severity:ident, $owner:ident,
        $applicability:ident, $phase:ident, $title:literal $(,)?
    ) => {
        CatalogEntry {
            id: $id,
            title: $title,
            group: $group,
            severity: preflight_core::meta::Severity::$severity,
            owner: preflight_core::meta::Role::$owner,
            applicability: preflight_core::meta::Applicability::$applicability,
            phase: preflight_core::meta::Phase::$phase,
            position: $position,
        }
    };
}

/// The seed checklist, one row per checklist line, sorted by ID.
///
/// Columns: ID, position in the seed (1-based), group heading, severity, owner,
/// applicability, phase, and the line's exact text.
#[rustfmt::skip]
pub static SEED: &[CatalogEntry] = &[
    row!("code.review.no-todo-fixme", 2, "Code Review", Medium, TechLead, Always, PreLaunch, "No TODO or FIXME comments in production code"), // preflight: allow(marker)
    row!("code.review.peer-reviewed", 1, "Code Review", High, TechLead, Always, PreLaunch, "All code has been peer-reviewed"),
    row!("code.review.security-vulnerabilities", 5, "Code Review", Critical, SecurityLead, Always, PreLaunch, "No security vulnerabilities found (Safety, Bandit)"),
    row!("code.review.static-analysis", 4, "Code Review", High, TechLead, Always, PreLaunch, "Static analysis passed (pylint, mypy, bandit)"),
    row!("code.review.style-guide", 3, "Code Review", Low, TechLead, Always, PreLaunch, "Code follows style guide (PEP 8 for Python)"),
    row!("code.testing.backtest-history", 12, "Testing", Critical, TradingStrategist, Always, PreLaunch, "Backtesting completed with minimum 2 years of data"),
    row!("code.testing.chaos", 11, "Testing", Medium, TechLead, Always, PreLaunch, "Chaos engineering tests performed"),
    row!("code.testing.end-to-end", 8, "Testing", High, TechLead, Always, PreLaunch, "End-to-end tests completed successfully"),
    row!("code.testing.integration-tests", 7, "Testing", High, TechLead, Always, PreLaunch, "All integration tests passing"),
    row!("code.testing.load", 10, "Testing", High, TechLead, Always, PreLaunch, "Load testing completed (handles expected peak load + 50%)"),
    row!("code.testing.paper-trading", 13, "Testing", Critical, TradingStrategist, Always, PreLaunch, "Forward testing (paper trading) completed for minimum 30 days"),
    row!("code.testing.performance-latency", 9, "Testing", High, TechLead, Always, PreLaunch, "Performance tests show acceptable latency (<100ms for critical paths)"),
    row!("code.testing.unit-coverage", 6, "Testing", High, TechLead, Always, PreLaunch, "Unit test coverage >= 80%"),
    row!("data.pipeline.etl-tested", 119, "Data Pipeline", High, TechLead, Always, PreLaunch, "ETL pipelines tested"),
    row!("data.pipeline.failure-recovery", 122, "Data Pipeline", High, TechLead, Always, PreLaunch, "Pipeline failure recovery tested"),
    row!("data.pipeline.lineage-tracked", 121, "Data Pipeline", Medium, TechLead, Always, PreLaunch, "Data lineage tracked"),
    row!("data.pipeline.quality-monitoring", 123, "Data Pipeline", High, TechLead, Always, PreLaunch, "Data quality monitoring enabled"),
    row!("data.pipeline.validation-rules", 120, "Data Pipeline", High, TechLead, Always, PreLaunch, "Data validation rules in place"),
    row!("data.sources.api-rate-limits", 113, "Data Sources", Medium, TechLead, Always, PreLaunch, "API rate limits understood and monitored"),
    row!("data.sources.backup-sources", 109, "Data Sources", High, TechLead, Always, PreLaunch, "Backup data sources available"),
    row!("data.sources.feed-monitoring", 112, "Data Sources", High, DevopsLead, Always, PreLaunch, "Data feed monitoring and alerts configured"),
    row!("data.sources.feeds-tested", 108, "Data Sources", Critical, TechLead, Always, PreLaunch, "All data feeds configured and tested"),
    row!("data.sources.missing-data-handling", 111, "Data Sources", High, TechLead, Always, PreLaunch, "Missing data handling defined"),
    row!("data.sources.quality-checks", 110, "Data Sources", Critical, TechLead, Always, PreLaunch, "Data quality checks implemented"),
    row!("data.storage.access-patterns", 118, "Data Storage", Low, TechLead, Always, PreLaunch, "Data access patterns optimized"),
    row!("data.storage.archival-strategy", 116, "Data Storage", Low, DevopsLead, Always, PreLaunch, "Data archival strategy defined"),
    row!("data.storage.costs-budgeted", 117, "Data Storage", Low, DevopsLead, Always, PreLaunch, "Storage costs estimated and budgeted"),
    row!("data.storage.historical-backup", 114, "Data Storage", High, DevopsLead, Always, PreLaunch, "Historical data backed up"),
    row!("data.storage.retention-policies", 115, "Data Storage", Medium, DevopsLead, Always, PreLaunch, "Data retention policies implemented"),
    row!("deploy.ci-cd.automated-testing", 125, "CI/CD Pipeline", High, DevopsLead, Always, PreLaunch, "Automated testing in pipeline"),
    row!("deploy.ci-cd.blue-green-canary", 130, "CI/CD Pipeline", Medium, DevopsLead, Always, PreLaunch, "Blue-green or canary deployment strategy"),
    row!("deploy.ci-cd.build-pipeline", 124, "CI/CD Pipeline", High, DevopsLead, Always, PreLaunch, "Automated build pipeline configured"),
    row!("deploy.ci-cd.deployment-automation", 128, "CI/CD Pipeline", High, DevopsLead, Always, PreLaunch, "Deployment automation tested"),
    row!("deploy.ci-cd.quality-gates", 126, "CI/CD Pipeline", Medium, DevopsLead, Always, PreLaunch, "Code quality gates enforced"),
    row!("deploy.ci-cd.rollback-tested", 129, "CI/CD Pipeline", High, DevopsLead, Always, PreLaunch, "Rollback procedures tested"),
    row!("deploy.ci-cd.security-scanning", 127, "CI/CD Pipeline", High, DevopsLead, Always, PreLaunch, "Security scanning in pipeline"),
    row!("deploy.config.config-validation", 134, "Configuration Management", High, TechLead, Always, PreLaunch, "Configuration validation implemented"),
    row!("deploy.config.config-versioned", 132, "Configuration Management", High, DevopsLead, Always, PreLaunch, "Configuration files versioned"),
    row!("deploy.config.env-vars-documented", 131, "Configuration Management", Medium, DevopsLead, Always, PreLaunch, "Environment variables documented"),
    row!("deploy.config.feature-flags", 135, "Configuration Management", Medium, TechLead, Always, PreLaunch, "Feature flags implemented for gradual rollout"),
    row!("deploy.config.secrets-managed", 133, "Configuration Management", High, DevopsLead, Always, PreLaunch, "Secrets properly managed"),
    row!("deploy.process.deployment-runbook", 136, "Deployment Process", High, DevopsLead, Always, PreLaunch, "Deployment runbook created"),
    row!("deploy.process.deployment-windows", 140, "Deployment Process", Medium, DevopsLead, Always, PreLaunch, "Deployment windows scheduled"),
    row!("deploy.process.migration-scripts", 138, "Deployment Process", High, DevopsLead, Always, PreLaunch, "Database migration scripts tested"),
    row!("deploy.process.rollback-plan", 137, "Deployment Process", High, DevopsLead, Always, PreLaunch, "Rollback plan documented and tested"),
    row!("deploy.process.stakeholder-communication", 141, "Deployment Process", Low, ProductOwner, Always, PreLaunch, "Stakeholder communication plan"),
    row!("deploy.process.zero-downtime", 139, "Deployment Process", Medium, DevopsLead, Always, PreLaunch, "Zero-downtime deployment verified"),
    row!("dr.backup.automated-backups", 143, "Backup and Recovery", High, DevopsLead, Always, PreLaunch, "Automated backups configured"),
    row!("dr.backup.failover-tested", 148, "Backup and Recovery", High, DevopsLead, Always, PreLaunch, "Failover procedures tested"),
    row!("dr.backup.recovery-plan", 147, "Backup and Recovery", High, DevopsLead, Always, PreLaunch, "Disaster recovery plan documented"),
    row!("dr.backup.restore-tested", 144, "Backup and Recovery", Critical, DevopsLead, Always, PreLaunch, "Backup restoration tested"),
    row!("dr.backup.rpo-defined", 146, "Backup and Recovery", High, DevopsLead, Always, PreLaunch, "Recovery Point Objective (RPO) defined"),
    row!("dr.backup.rto-defined", 145, "Backup and Recovery", High, DevopsLead, Always, PreLaunch, "Recovery Time Objective (RTO) defined"),
    row!("dr.backup.strategy-documented", 142, "Backup and Recovery", High, DevopsLead, Always, PreLaunch, "Backup strategy defined and documented"),
    row!("dr.continuity.critical-systems", 149, "Business Continuity", Medium, DevopsLead, Always, PreLaunch, "Critical systems identified"),
    row!("dr.continuity.data-replication", 152, "Business Continuity", High, DevopsLead, Always, PreLaunch, "Data replication configured"),
    row!("dr.continuity.failover-ready", 150, "Business Continuity", High, DevopsLead, Always, PreLaunch, "Failover systems ready"),
    row!("dr.continuity.manual-override", 154, "Business Continuity", Critical, RiskManager, Always, PreLaunch, "Manual override procedures documented"),
    row!("dr.continuity.multi-region", 151, "Business Continuity", Medium, DevopsLead, Always, PreLaunch, "Multi-region deployment (if required)"),
    row!("dr.continuity.outage-communication", 153, "Business Continuity", Medium, DevopsLead, Always, PreLaunch, "Communication plan for outages"),
    row!("infra.cloud.auto-scaling", 36, "Cloud Resources", High, DevopsLead, Always, PreLaunch, "Auto-scaling configured and tested"),
    row!("infra.cloud.backup-instances", 42, "Cloud Resources", High, DevopsLead, Always, PreLaunch, "Backup instances ready"),
    row!("infra.cloud.cdn-configured", 39, "Cloud Resources", Low, DevopsLead, IfApplicable, PreLaunch, "CDN configured (if applicable)"),
    row!("infra.cloud.cost-alerts", 41, "Cloud Resources", Medium, DevopsLead, Always, PreLaunch, "Cost alerts configured"),
    row!("infra.cloud.health-checks", 38, "Cloud Resources", High, DevopsLead, Always, PreLaunch, "Health checks implemented"),
    row!("infra.cloud.load-balancers", 37, "Cloud Resources", High, DevopsLead, Always, PreLaunch, "Load balancers configured"),
    row!("infra.cloud.production-environment", 35, "Cloud Resources", High, DevopsLead, Always, PreLaunch, "Production environment provisioned"),
    row!("infra.cloud.resource-limits", 40, "Cloud Resources", High, DevopsLead, Always, PreLaunch, "Resource limits set (CPU, memory, disk)"),
    row!("infra.database.backups-restore-tested", 44, "Database", Critical, DevopsLead, Always, PreLaunch, "Backups configured (automated, tested restore)"),
    row!("infra.database.connection-pooling", 46, "Database", Medium, DevopsLead, Always, PreLaunch, "Connection pooling configured"),
    row!("infra.database.indexes-optimized", 47, "Database", Medium, DevopsLead, Always, PreLaunch, "Indexes optimized for query patterns"),
    row!("infra.database.migration-strategy", 50, "Database", High, DevopsLead, Always, PreLaunch, "Migration strategy tested"),
    row!("infra.database.monitoring-enabled", 48, "Database", High, DevopsLead, Always, PreLaunch, "Database monitoring enabled"),
    row!("infra.database.production-database", 43, "Database", High, DevopsLead, Always, PreLaunch, "Production database deployed"),
    row!("infra.database.replication-configured", 45, "Database", High, DevopsLead, IfApplicable, PreLaunch, "Replication set up (if applicable)"),
    row!("infra.database.retention-policies", 49, "Database", Medium, DevopsLead, Always, PreLaunch, "Retention policies defined"),
    row!("infra.network.ddos-protection", 56, "Networking", High, DevopsLead, Always, PreLaunch, "DDoS protection enabled"),
    row!("infra.network.dns-records", 54, "Networking", Medium, DevopsLead, Always, PreLaunch, "DNS records configured"),
    row!("infra.network.network-acls", 53, "Networking", High, DevopsLead, Always, PreLaunch, "Network ACLs reviewed"),
    row!("infra.network.rate-limiting", 57, "Networking", Medium, DevopsLead, Always, PreLaunch, "Rate limiting configured"),
    row!("infra.network.security-groups", 52, "Networking", High, DevopsLead, Always, PreLaunch, "Security groups properly configured"),
    row!("infra.network.tls-certificates", 55, "Networking", High, DevopsLead, Always, PreLaunch, "SSL/TLS certificates installed and auto-renewal configured"),
    row!("infra.network.vpc-subnets", 51, "Networking", High, DevopsLead, Always, PreLaunch, "VPC and subnets configured"),
    row!("legal.business.budget-approved", 180, "Business Validation", Medium, ProductOwner, Always, PreLaunch, "Budget approved"),
    row!("legal.business.insurance-reviewed", 181, "Business Validation", Medium, ProductOwner, IfApplicable, PreLaunch, "Insurance reviewed (if applicable)"),
    row!("legal.business.privacy-policy", 183, "Business Validation", Medium, ProductOwner, Always, PreLaunch, "Privacy policy updated"),
    row!("legal.business.roi-projections", 179, "Business Validation", Low, ProductOwner, Always, PreLaunch, "ROI projections documented"),
    row!("legal.business.stakeholder-approval", 178, "Business Validation", High, ProductOwner, Always, PreLaunch, "Business stakeholders have approved"),
    row!("legal.business.terms-of-service", 182, "Business Validation", Medium, ProductOwner, Always, PreLaunch, "Terms of service reviewed"),
    row!("legal.regulatory.audit-trail", 174, "Regulatory Compliance", Critical, LegalCompliance, Always, PreLaunch, "Audit trail requirements met"),
    row!("legal.regulatory.record-keeping", 175, "Regulatory Compliance", Critical, LegalCompliance, Always, PreLaunch, "Record-keeping requirements met"),
    row!("legal.regulatory.regulatory-reporting", 177, "Regulatory Compliance", Critical, LegalCompliance, Always, PreLaunch, "Regulatory reporting configured (if required)"),
    row!("legal.regulatory.risk-disclosures", 176, "Regulatory Compliance", High, LegalCompliance, Always, PreLaunch, "Risk disclosures documented"),
    row!("legal.regulatory.trading-regulations", 173, "Regulatory Compliance", Critical, LegalCompliance, Always, PreLaunch, "Trading regulations reviewed and compliance ensured"),
    row!("legal.review.data-privacy", 185, "Legal Review", High, LegalCompliance, Always, PreLaunch, "Data privacy requirements met"),
    row!("legal.review.intellectual-property", 188, "Legal Review", Medium, LegalCompliance, Always, PreLaunch, "Intellectual property protected"),
    row!("legal.review.legal-team-reviewed", 184, "Legal Review", High, LegalCompliance, Always, PreLaunch, "Legal team has reviewed"),
    row!("legal.review.licensing-requirements", 186, "Legal Review", High, LegalCompliance, Always, PreLaunch, "Licensing requirements met"),
    row!("legal.review.third-party-agreements", 187, "Legal Review", High, LegalCompliance, Always, PreLaunch, "Third-party agreements signed"),
    row!("monitoring.alerting.alert-routing", 101, "Alerting", High, DevopsLead, Always, PreLaunch, "Alert routing configured (PagerDuty, Slack, email)"),
    row!("monitoring.alerting.critical-alerts", 97, "Alerting", Critical, DevopsLead, Always, PreLaunch, "Critical alerts configured (system down, data feed loss)"),
    row!("monitoring.alerting.escalation-procedures", 103, "Alerting", Medium, DevopsLead, Always, PreLaunch, "Escalation procedures documented"),
    row!("monitoring.alerting.on-call-rotation", 102, "Alerting", High, DevopsLead, Always, PreLaunch, "On-call rotation defined"),
    row!("monitoring.alerting.performance-alerts", 98, "Alerting", High, DevopsLead, Always, PreLaunch, "Performance alerts set (high latency, error rate spikes)"),
    row!("monitoring.alerting.thresholds-tuned", 100, "Alerting", High, DevopsLead, Always, PreLaunch, "Alert thresholds tested and tuned"),
    row!("monitoring.alerting.trading-alerts", 99, "Alerting", Critical, RiskManager, Always, PreLaunch, "Trading alerts configured (large loss, circuit breaker)"),
    row!("monitoring.logging.analysis-tools", 88, "Logging", Low, DevopsLead, Always, PreLaunch, "Log analysis tools configured"),
    row!("monitoring.logging.centralized-logging", 84, "Logging", High, DevopsLead, Always, PreLaunch, "Centralized logging configured (CloudWatch, ELK, etc.)"),
    row!("monitoring.logging.log-levels", 85, "Logging", Low, DevopsLead, Always, PreLaunch, "Log levels properly set (INFO for production)"),
    row!("monitoring.logging.no-sensitive-data", 89, "Logging", High, SecurityLead, Always, PreLaunch, "No sensitive data in logs"),
    row!("monitoring.logging.retention-policy", 87, "Logging", Medium, DevopsLead, Always, PreLaunch, "Log retention policy configured"),
    row!("monitoring.logging.structured-logging", 86, "Logging", Medium, TechLead, Always, PreLaunch, "Structured logging implemented"),
    row!("monitoring.metrics.application-metrics", 91, "Metrics", High, TechLead, Always, PreLaunch, "Application metrics instrumented"),
    row!("monitoring.metrics.custom-dashboards", 95, "Metrics", Medium, DevopsLead, Always, PreLaunch, "Custom dashboards created"),
    row!("monitoring.metrics.error-rates", 94, "Metrics", High, TechLead, Always, PreLaunch, "Error rates tracked"),
    row!("monitoring.metrics.latency-metrics", 93, "Metrics", High, TechLead, Always, PreLaunch, "Latency metrics for critical paths"),
    row!("monitoring.metrics.metrics-stack", 96, "Metrics", Medium, DevopsLead, Always, PreLaunch, "Prometheus/Grafana or equivalent configured"),
    row!("monitoring.metrics.system-metrics", 90, "Metrics", High, DevopsLead, Always, PreLaunch, "System metrics collected (CPU, memory, disk, network)"),
    row!("monitoring.metrics.trading-metrics", 92, "Metrics", High, TradingStrategist, Always, PreLaunch, "Trading-specific metrics tracked (PnL, win rate, drawdown)"),
    row!("monitoring.tracing.bottlenecks-identified", 107, "Distributed Tracing", Medium, TechLead, Always, PreLaunch, "Performance bottlenecks identified"),
    row!("monitoring.tracing.correlation-ids", 105, "Distributed Tracing", Medium, TechLead, Always, PreLaunch, "Request correlation IDs in use"),
    row!("monitoring.tracing.end-to-end", 106, "Distributed Tracing", Medium, TechLead, Always, PreLaunch, "End-to-end transaction tracing working"),
    row!("monitoring.tracing.tracing-implemented", 104, "Distributed Tracing", Medium, TechLead, Always, PreLaunch, "Tracing implemented (Jaeger, X-Ray, etc.)"),
    row!("ops.docs.api-docs", 156, "Documentation", Medium, TechLead, Always, PreLaunch, "API documentation complete"),
    row!("ops.docs.architecture-diagrams", 155, "Documentation", Medium, TechLead, Always, PreLaunch, "Architecture diagrams up to date"),
    row!("ops.docs.change-management", 161, "Documentation", Medium, ProductOwner, Always, PreLaunch, "Change management process documented"),
    row!("ops.docs.configuration-documented", 159, "Documentation", Medium, DevopsLead, Always, PreLaunch, "Configuration documented"),
    row!("ops.docs.onboarding-guide", 160, "Documentation", Low, TechLead, Always, PreLaunch, "Onboarding guide for new team members"),
    row!("ops.docs.operations-runbooks", 157, "Documentation", High, DevopsLead, Always, PreLaunch, "Runbooks created for common operations"),
    row!("ops.docs.troubleshooting-guides", 158, "Documentation", Medium, DevopsLead, Always, PreLaunch, "Troubleshooting guides written"),
    row!("ops.procedures.change-approval", 170, "Operational Procedures", Medium, ProductOwner, Always, PreLaunch, "Change approval process established"),
    row!("ops.procedures.incident-response", 168, "Operational Procedures", High, DevopsLead, Always, PreLaunch, "Incident response plan documented"),
    row!("ops.procedures.maintenance-windows", 171, "Operational Procedures", Low, DevopsLead, Always, PreLaunch, "Maintenance windows scheduled"),
    row!("ops.procedures.post-mortem", 169, "Operational Procedures", Medium, TechLead, Always, PreLaunch, "Post-mortem process defined"),
    row!("ops.procedures.upgrade-strategy", 172, "Operational Procedures", Low, TechLead, Always, PreLaunch, "Version upgrade strategy defined"),
    row!("ops.support.capacity-planning", 167, "Monitoring and Support", Medium, DevopsLead, Always, PreLaunch, "Capacity planning completed"),
    row!("ops.support.escalation-procedures", 163, "Monitoring and Support", High, DevopsLead, Always, PreLaunch, "Escalation procedures defined"),
    row!("ops.support.on-call-rotation", 162, "Monitoring and Support", High, DevopsLead, Always, PreLaunch, "On-call rotation established"),
    row!("ops.support.performance-baselines", 166, "Monitoring and Support", Medium, DevopsLead, Always, PreLaunch, "Performance baselines established"),
    row!("ops.support.sla-targets", 165, "Monitoring and Support", Medium, ProductOwner, Always, PreLaunch, "SLA targets defined"),
    row!("ops.support.ticket-system", 164, "Monitoring and Support", Low, DevopsLead, Always, PreLaunch, "Support ticket system configured"),
    row!("perf.performance.api-rate-limits", 194, "Performance", Medium, DevopsLead, Always, PreLaunch, "API rate limits configured"),
    row!("perf.performance.benchmarks-met", 190, "Performance", High, TechLead, Always, PreLaunch, "Performance benchmarks met"),
    row!("perf.performance.caching-strategy", 192, "Performance", Medium, TechLead, Always, PreLaunch, "Caching strategy implemented"),
    row!("perf.performance.cdn-configured", 193, "Performance", Low, DevopsLead, IfApplicable, PreLaunch, "CDN configured (if applicable)"),
    row!("perf.performance.load-testing", 189, "Performance", High, DevopsLead, Always, PreLaunch, "Load testing completed"),
    row!("perf.performance.query-optimization", 191, "Performance", Medium, TechLead, Always, PreLaunch, "Database queries optimized"),
    row!("perf.scalability.async-queues", 198, "Scalability", Medium, TechLead, Always, PreLaunch, "Queue systems configured for async processing"),
    row!("perf.scalability.auto-scaling", 195, "Scalability", High, DevopsLead, Always, PreLaunch, "Auto-scaling configured and tested"),
    row!("perf.scalability.capacity-limits", 199, "Scalability", Medium, DevopsLead, Always, PreLaunch, "Capacity limits documented"),
    row!("perf.scalability.database-scaling", 197, "Scalability", Medium, DevopsLead, Always, PreLaunch, "Database scaling strategy defined"),
    row!("perf.scalability.growth-projections", 200, "Scalability", Low, ProductOwner, Always, PreLaunch, "Growth projections modeled"),
    row!("perf.scalability.horizontal-scaling", 196, "Scalability", Medium, DevopsLead, Always, PreLaunch, "Horizontal scaling tested"),
    row!("post-launch.month-1.plan-next-iteration", 240, "Month 1", Low, ProductOwner, Always, PostLaunchMonth1, "Plan next iteration"),
    row!("post-launch.month-1.post-launch-review", 236, "Month 1", Medium, ProductOwner, Always, PostLaunchMonth1, "Complete post-launch review"),
    row!("post-launch.month-1.resource-allocation", 237, "Month 1", Low, DevopsLead, Always, PostLaunchMonth1, "Optimize resource allocation"),
    row!("post-launch.month-1.tune-alerts", 238, "Month 1", Medium, DevopsLead, Always, PostLaunchMonth1, "Fine-tune alerts and thresholds"),
    row!("post-launch.month-1.update-documentation", 239, "Month 1", Medium, TechLead, Always, PostLaunchMonth1, "Update documentation based on learnings"),
    row!("post-launch.week-1.error-logs-daily", 228, "Week 1", High, DevopsLead, Always, PostLaunchWeek1, "Check error logs daily"),
    row!("post-launch.week-1.monitor-alerts-daily", 226, "Week 1", High, DevopsLead, Always, PostLaunchWeek1, "Monitor all alerts and dashboards daily"),
    row!("post-launch.week-1.pnl-reconciliation-daily", 229, "Week 1", Critical, RiskManager, Always, PostLaunchWeek1, "Validate PnL reconciliation daily"),
    row!("post-launch.week-1.team-retrospective", 230, "Week 1", Medium, ProductOwner, Always, PostLaunchWeek1, "Team retrospective at end of week"),
    row!("post-launch.week-1.trading-performance-daily", 227, "Week 1", High, TradingStrategist, Always, PostLaunchWeek1, "Review trading performance daily"),
    row!("post-launch.weeks-2-4.daily-monitoring", 231, "Week 2-4", High, DevopsLead, Always, PostLaunchWeeks2To4, "Continue daily monitoring"),
    row!("post-launch.weeks-2-4.document-issues", 234, "Week 2-4", Medium, TechLead, Always, PostLaunchWeeks2To4, "Document any issues and resolutions"),
    row!("post-launch.weeks-2-4.optimize-from-production-data", 233, "Week 2-4", Low, TechLead, Always, PostLaunchWeeks2To4, "Optimize based on production data"),
    row!("post-launch.weeks-2-4.user-feedback", 235, "Week 2-4", Low, ProductOwner, Always, PostLaunchWeeks2To4, "Collect user feedback"),
    row!("post-launch.weeks-2-4.weekly-performance-review", 232, "Week 2-4", Medium, TradingStrategist, Always, PostLaunchWeeks2To4, "Review weekly performance metrics"),
    row!("security.access.admin-mfa", 60, "Access Control", Critical, SecurityLead, Always, PreLaunch, "MFA enabled for all admin accounts"),
    row!("security.access.api-key-rotation", 62, "Access Control", Critical, SecurityLead, Always, PreLaunch, "API keys rotated and securely stored"),
    row!("security.access.iam-review", 58, "Access Control", High, SecurityLead, Always, PreLaunch, "IAM roles and policies reviewed"),
    row!("security.access.least-privilege", 59, "Access Control", High, SecurityLead, Always, PreLaunch, "Principle of least privilege applied"),
    row!("security.access.no-hardcoded-credentials", 63, "Access Control", Critical, SecurityLead, Always, PreLaunch, "No hardcoded credentials in code"),
    row!("security.access.secrets-manager", 64, "Access Control", High, SecurityLead, Always, PreLaunch, "Secrets management system in use (AWS Secrets Manager, etc.)"),
    row!("security.access.service-account-permissions", 61, "Access Control", High, SecurityLead, Always, PreLaunch, "Service accounts have minimal permissions"),
    row!("security.audit.audit-logging", 78, "Audit and Compliance", Critical, SecurityLead, Always, PreLaunch, "Audit logging enabled"),
    row!("security.audit.compliance-documented", 80, "Audit and Compliance", Medium, LegalCompliance, Always, PreLaunch, "Compliance requirements documented"),
    row!("security.audit.log-retention", 79, "Audit and Compliance", High, SecurityLead, Always, PreLaunch, "Log retention meets requirements"),
    row!("security.audit.penetration-testing", 82, "Audit and Compliance", High, SecurityLead, Always, PreLaunch, "Penetration testing performed"),
    row!("security.audit.security-audit", 81, "Audit and Compliance", High, SecurityLead, Always, PreLaunch, "Security audit completed"),
    row!("security.audit.vulnerability-scanning", 83, "Audit and Compliance", High, SecurityLead, Always, PreLaunch, "Vulnerability scanning automated"),
    row!("security.data.api-keys-in-secrets-manager", 68, "Data Security", High, SecurityLead, Always, PreLaunch, "API keys stored in secrets manager"),
    row!("security.data.database-credentials-encrypted", 67, "Data Security", High, SecurityLead, Always, PreLaunch, "Database credentials encrypted"),
    row!("security.data.encryption-at-rest", 65, "Data Security", High, SecurityLead, Always, PreLaunch, "Encryption at rest enabled"),
    row!("security.data.encryption-in-transit", 66, "Data Security", High, SecurityLead, Always, PreLaunch, "Encryption in transit enforced (TLS 1.3)"),
    row!("security.data.gdpr-compliance", 71, "Data Security", High, LegalCompliance, IfApplicable, PreLaunch, "GDPR/compliance requirements met (if applicable)"),
    row!("security.data.retention-policies", 70, "Data Security", Medium, SecurityLead, Always, PreLaunch, "Data retention policies defined"),
    row!("security.data.sensitive-data-masked", 69, "Data Security", High, SecurityLead, Always, PreLaunch, "Sensitive data masked in logs"),
    row!("security.network.admin-vpn", 77, "Network Security", High, SecurityLead, Always, PreLaunch, "VPN configured for admin access"),
    row!("security.network.firewall-rules", 72, "Network Security", High, SecurityLead, Always, PreLaunch, "Firewall rules configured"),
    row!("security.network.ids-ips", 76, "Network Security", Medium, SecurityLead, Always, PreLaunch, "IDS/IPS configured"),
    row!("security.network.minimal-open-ports", 73, "Network Security", High, SecurityLead, Always, PreLaunch, "Only necessary ports open"),
    row!("security.network.private-subnets", 74, "Network Security", High, SecurityLead, Always, PreLaunch, "Private subnets for sensitive resources"),
    row!("security.network.waf-configured", 75, "Network Security", Medium, SecurityLead, IfApplicable, PreLaunch, "WAF configured (if applicable)"),
    row!("strategy.backtest.costs-included", 18, "Backtesting Results", Critical, TradingStrategist, Always, PreLaunch, "Slippage and transaction costs included"),
    row!("strategy.backtest.market-regimes", 17, "Backtesting Results", High, TradingStrategist, Always, PreLaunch, "Tested across multiple market regimes"),
    row!("strategy.backtest.max-drawdown", 15, "Backtesting Results", Critical, TradingStrategist, Always, PreLaunch, "Maximum drawdown < 25%"),
    row!("strategy.backtest.out-of-sample", 19, "Backtesting Results", High, TradingStrategist, Always, PreLaunch, "Out-of-sample testing performed"),
    row!("strategy.backtest.sharpe-ratio", 14, "Backtesting Results", Critical, TradingStrategist, Always, PreLaunch, "Sharpe ratio > 1.0"),
    row!("strategy.backtest.walk-forward", 20, "Backtesting Results", High, TradingStrategist, Always, PreLaunch, "Walk-forward analysis completed"),
    row!("strategy.backtest.win-rate", 16, "Backtesting Results", Medium, TradingStrategist, Always, PreLaunch, "Win rate meets expectations"),
    row!("strategy.model.cross-validation", 34, "Model Validation (if using ML)", High, TradingStrategist, Always, PreLaunch, "Cross-validation results reviewed"),
    row!("strategy.model.drift-detection", 28, "Model Validation (if using ML)", High, TradingStrategist, Always, PreLaunch, "Model drift detection implemented"),
    row!("strategy.model.fallback", 31, "Model Validation (if using ML)", High, TradingStrategist, Always, PreLaunch, "Fallback models available"),
    row!("strategy.model.feature-engineering", 32, "Model Validation (if using ML)", Medium, TradingStrategist, Always, PreLaunch, "Feature engineering validated"),
    row!("strategy.model.overfitting", 33, "Model Validation (if using ML)", Critical, TradingStrategist, Always, PreLaunch, "Overfitting checks performed"),
    row!("strategy.model.retraining-pipeline", 29, "Model Validation (if using ML)", Medium, TradingStrategist, Always, PreLaunch, "Retraining pipeline tested"),
    row!("strategy.model.versioning", 30, "Model Validation (if using ML)", High, TradingStrategist, Always, PreLaunch, "Model versioning in place"),
    row!("strategy.risk.circuit-breakers", 26, "Risk Management", Critical, RiskManager, Always, PreLaunch, "Circuit breakers configured and tested"),
    row!("strategy.risk.correlation-limits", 25, "Risk Management", High, RiskManager, Always, PreLaunch, "Correlation limits between positions defined"),
    row!("strategy.risk.leverage-limits", 24, "Risk Management", Critical, RiskManager, Always, PreLaunch, "Leverage limits configured"),
    row!("strategy.risk.max-portfolio-exposure", 23, "Risk Management", Critical, RiskManager, Always, PreLaunch, "Maximum portfolio exposure limits set"),
    row!("strategy.risk.position-sizing", 21, "Risk Management", Critical, RiskManager, Always, PreLaunch, "Position sizing rules defined and tested"),
    row!("strategy.risk.stop-loss", 22, "Risk Management", Critical, RiskManager, Always, PreLaunch, "Stop-loss mechanisms implemented"),
    row!("strategy.risk.validated-in-backtest", 27, "Risk Management", High, RiskManager, Always, PreLaunch, "Risk limits validated in backtesting"),
    row!("trading.broker.account-balance", 204, "Broker Integration", High, TechLead, Always, PreLaunch, "Account balance updates working"),
    row!("trading.broker.api-integration", 201, "Broker Integration", Critical, TechLead, Always, PreLaunch, "Broker API integration tested"),
    row!("trading.broker.api-rate-limits", 206, "Broker Integration", High, TechLead, Always, PreLaunch, "API rate limits understood and respected"),
    row!("trading.broker.backup-broker-failover", 207, "Broker Integration", High, TechLead, IfApplicable, PreLaunch, "Failover to backup broker tested (if applicable)"),
    row!("trading.broker.order-execution", 202, "Broker Integration", Critical, TechLead, Always, PreLaunch, "Order execution tested (market, limit, stop orders)"),
    row!("trading.broker.position-tracking", 203, "Broker Integration", Critical, TechLead, Always, PreLaunch, "Position tracking verified"),
    row!("trading.broker.rejected-orders", 205, "Broker Integration", Critical, TechLead, Always, PreLaunch, "Error handling for rejected orders tested"),
    row!("trading.controls.daily-loss-circuit-breakers", 224, "Financial Controls", Critical, RiskManager, Always, PreLaunch, "Daily loss circuit breakers tested"),
    row!("trading.controls.drawdown-alerts", 225, "Financial Controls", High, RiskManager, Always, PreLaunch, "Maximum drawdown alerts configured"),
    row!("trading.controls.leverage-limits", 223, "Financial Controls", Critical, RiskManager, Always, PreLaunch, "Leverage limits enforced"),
    row!("trading.controls.loss-limits", 221, "Financial Controls", Critical, RiskManager, Always, PreLaunch, "Loss limits configured"),
    row!("trading.controls.max-position-sizes", 222, "Financial Controls", Critical, RiskManager, Always, PreLaunch, "Maximum position sizes set"),
    row!("trading.controls.trading-limits", 220, "Financial Controls", Critical, RiskManager, Always, PreLaunch, "Trading limits enforced"),
    row!("trading.logic.duplicate-order-prevention", 217, "Trading Logic", Critical, TechLead, Always, PreLaunch, "Duplicate order prevention implemented"),
    row!("trading.logic.end-of-day-reconciliation", 219, "Trading Logic", Critical, RiskManager, Always, PreLaunch, "End-of-day reconciliation automated"),
    row!("trading.logic.order-reconciliation", 218, "Trading Logic", Critical, TechLead, Always, PreLaunch, "Order reconciliation process working"),
    row!("trading.logic.order-routing", 214, "Trading Logic", Critical, TechLead, Always, PreLaunch, "Order routing logic tested"),
    row!("trading.logic.position-sizing", 215, "Trading Logic", Critical, RiskManager, Always, PreLaunch, "Position sizing validated"),
    row!("trading.logic.risk-checks-before-every-order", 216, "Trading Logic", Critical, RiskManager, Always, PreLaunch, "Risk checks before every order"),
    row!("trading.market-data.data-latency", 209, "Market Data", High, TechLead, Always, PreLaunch, "Data latency measured and acceptable"),
    row!("trading.market-data.extended-hours", 213, "Market Data", Medium, TechLead, IfApplicable, PreLaunch, "Pre-market and after-hours handling (if applicable)"),
    row!("trading.market-data.historical-backfill", 210, "Market Data", Medium, TradingStrategist, Always, PreLaunch, "Historical data backfill completed"),
    row!("trading.market-data.holiday-schedule", 212, "Market Data", High, TechLead, Always, PreLaunch, "Holiday schedule configured"),
    row!("trading.market-data.market-hours", 211, "Market Data", High, TechLead, Always, PreLaunch, "Market hours handling implemented"),
    row!("trading.market-data.real-time-feed", 208, "Market Data", Critical, TechLead, Always, PreLaunch, "Real-time data feed connected and tested"),
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use preflight_core::meta::{Applicability, Phase, Section, validate_id};

    use super::SEED;

    /// The in-repo copy of the seed checklist.
    const SEED_TEXT: &str = include_str!("../seed/production-preflight-checklist.md");

    /// One `- [ ] ` line of the seed, with the headings it sits under.
    #[derive(Debug)]
    struct SeedLine {
        section: Section,
        group: &'static str,
        title: &'static str,
    }

    /// The section a `## ` heading opens: `1. Code Quality and Testing` ..
    /// `12. Trading-Specific Checks` and `Post-Launch`; `None` for the others
    /// (the document title, `Sign-Off`), which hold no checklist lines.
    fn section_of(heading: &str) -> Option<Section> {
        if heading == "Post-Launch" {
            return Some(Section::PostLaunch);
        }
        let (number, title) = heading.split_once(". ")?;
        let number: usize = number.parse().ok()?;
        let section = Section::ALL[number - 1];
        assert_eq!(
            section.title(),
            title,
            "seed section {number} is not {section}"
        );
        Some(section)
    }

    /// Every `- [ ] ` line of the seed, in file order.
    fn seed_lines() -> Vec<SeedLine> {
        let mut section = None;
        let mut group = None;
        let mut lines = Vec::new();
        for line in SEED_TEXT.lines() {
            if let Some(heading) = line.strip_prefix("## ") {
                section = section_of(heading);
                group = None;
            } else if let Some(heading) = line.strip_prefix("### ") {
                group = Some(heading);
            } else if let Some(title) = line.strip_prefix("- [ ] ") {
                lines.push(SeedLine {
                    section: section
                        .unwrap_or_else(|| panic!("seed line `{title}` is outside a section")),
                    group: group
                        .unwrap_or_else(|| panic!("seed line `{title}` is outside a group")),
                    title,
                });
            }
        }
        lines
    }

    /// The phase a seed line is due in: post-launch lines by their group heading.
    fn expected_phase(line: &SeedLine) -> Phase {
        if line.section != Section::PostLaunch {
            return Phase::PreLaunch;
        }
        match line.group {
            "Week 1" => Phase::PostLaunchWeek1,
            "Week 2-4" => Phase::PostLaunchWeeks2To4,
            "Month 1" => Phase::PostLaunchMonth1,
            other => panic!("unexpected post-launch group `{other}`"),
        }
    }

    #[test]
    fn catalog_is_sorted_and_unique() {
        for pair in SEED.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "catalog rows must be sorted strictly by ID: `{}` comes before `{}`",
                pair[0].id,
                pair[1].id
            );
        }
    }

    #[test]
    fn catalog_covers_every_seed_line_once() {
        let seed = seed_lines();
        assert_eq!(seed.len(), 240, "the seed has 240 checklist lines");
        assert_eq!(SEED.len(), 240, "one catalog row per seed line");

        let mut positions: Vec<u32> = SEED.iter().map(|row| row.position).collect();
        positions.sort_unstable();
        assert_eq!(positions, (1..=240).collect::<Vec<u32>>());

        for (index, line) in seed.iter().enumerate() {
            let position = u32::try_from(index + 1).unwrap();
            let rows: Vec<_> = SEED.iter().filter(|row| row.position == position).collect();
            let [row] = rows[..] else {
                panic!(
                    "seed line {position} (`{}`) has {} rows",
                    line.title,
                    rows.len()
                );
            };
            assert_eq!(row.title, line.title, "title of `{}`", row.id);
            assert_eq!(row.group, line.group, "group of `{}`", row.id);
            let section = row.id.split('.').next().unwrap();
            assert_eq!(section, line.section.slug(), "section of `{}`", row.id);
            assert_eq!(row.phase, expected_phase(line), "phase of `{}`", row.id);
            let applicability = if line.title.contains("(if applicable)") {
                Applicability::IfApplicable
            } else {
                Applicability::Always
            };
            assert_eq!(
                row.applicability, applicability,
                "applicability of `{}`",
                row.id
            );
        }
    }

    #[test]
    fn ids_are_valid() {
        let seed = seed_lines();
        // Every group heading of a section maps to one group slug, and back.
        let mut slug_of_group = BTreeMap::new();
        let mut group_of_slug = BTreeMap::new();
        for row in SEED {
            let parts = validate_id(row.id).unwrap_or_else(|e| panic!("{e}"));
            let line = &seed[usize::try_from(row.position).unwrap() - 1];
            assert_eq!(parts.section, line.section, "section of `{}`", row.id);
            let slug = (parts.section, parts.group);
            assert_eq!(
                *slug_of_group.entry(row.group).or_insert(slug),
                slug,
                "group `{}` has two slugs",
                row.group
            );
            assert_eq!(
                *group_of_slug.entry(slug).or_insert(row.group),
                row.group,
                "group slug of `{}` names two groups",
                row.id
            );
            let words = parts.item.split('-').count();
            assert!(words <= 5, "item slug of `{}` is too long", row.id);
        }
        assert_eq!(slug_of_group.len(), 39, "the seed has 39 groups");
    }

    /// IDs that other code and documents already refer to, with their lines.
    const FIXED_IDS: &[(&str, &str)] = &[
        (
            "code.review.no-todo-fixme",
            "No TODO or FIXME comments in production code", // preflight: allow(marker)
        ),
        (
            "code.review.style-guide",
            "Code follows style guide (PEP 8 for Python)",
        ),
        (
            "code.review.static-analysis",
            "Static analysis passed (pylint, mypy, bandit)",
        ),
        (
            "code.review.security-vulnerabilities",
            "No security vulnerabilities found (Safety, Bandit)",
        ),
        ("code.testing.unit-coverage", "Unit test coverage >= 80%"),
        (
            "code.testing.integration-tests",
            "All integration tests passing",
        ),
        (
            "code.testing.end-to-end",
            "End-to-end tests completed successfully",
        ),
        (
            "code.testing.performance-latency",
            "Performance tests show acceptable latency (<100ms for critical paths)",
        ),
        (
            "code.testing.load",
            "Load testing completed (handles expected peak load + 50%)",
        ),
        ("code.testing.chaos", "Chaos engineering tests performed"),
        (
            "code.testing.backtest-history",
            "Backtesting completed with minimum 2 years of data",
        ),
        (
            "code.testing.paper-trading",
            "Forward testing (paper trading) completed for minimum 30 days",
        ),
        ("strategy.backtest.sharpe-ratio", "Sharpe ratio > 1.0"),
        ("strategy.backtest.max-drawdown", "Maximum drawdown < 25%"),
        ("strategy.backtest.win-rate", "Win rate meets expectations"),
        (
            "strategy.backtest.market-regimes",
            "Tested across multiple market regimes",
        ),
        (
            "strategy.backtest.costs-included",
            "Slippage and transaction costs included",
        ),
        (
            "strategy.backtest.out-of-sample",
            "Out-of-sample testing performed",
        ),
        (
            "strategy.backtest.walk-forward",
            "Walk-forward analysis completed",
        ),
        (
            "strategy.risk.position-sizing",
            "Position sizing rules defined and tested",
        ),
        (
            "strategy.risk.stop-loss",
            "Stop-loss mechanisms implemented",
        ),
        (
            "strategy.risk.circuit-breakers",
            "Circuit breakers configured and tested",
        ),
        (
            "strategy.risk.correlation-limits",
            "Correlation limits between positions defined",
        ),
        (
            "strategy.risk.validated-in-backtest",
            "Risk limits validated in backtesting",
        ),
        (
            "strategy.model.drift-detection",
            "Model drift detection implemented",
        ),
        ("strategy.model.versioning", "Model versioning in place"),
        ("strategy.model.fallback", "Fallback models available"),
        ("strategy.model.overfitting", "Overfitting checks performed"),
        (
            "strategy.model.cross-validation",
            "Cross-validation results reviewed",
        ),
        (
            "security.access.no-hardcoded-credentials",
            "No hardcoded credentials in code",
        ),
        (
            "data.sources.quality-checks",
            "Data quality checks implemented",
        ),
        (
            "data.sources.missing-data-handling",
            "Missing data handling defined",
        ),
        (
            "data.sources.backup-sources",
            "Backup data sources available",
        ),
        (
            "data.pipeline.validation-rules",
            "Data validation rules in place",
        ),
        (
            "trading.broker.position-tracking",
            "Position tracking verified",
        ),
        (
            "trading.market-data.real-time-feed",
            "Real-time data feed connected and tested",
        ),
        (
            "trading.market-data.data-latency",
            "Data latency measured and acceptable",
        ),
        (
            "trading.market-data.historical-backfill",
            "Historical data backfill completed",
        ),
        (
            "trading.market-data.market-hours",
            "Market hours handling implemented",
        ),
        (
            "trading.market-data.holiday-schedule",
            "Holiday schedule configured",
        ),
        (
            "trading.market-data.extended-hours",
            "Pre-market and after-hours handling (if applicable)",
        ),
        ("trading.logic.order-routing", "Order routing logic tested"),
        ("trading.logic.position-sizing", "Position sizing validated"),
        (
            "trading.logic.risk-checks-before-every-order",
            "Risk checks before every order",
        ),
        (
            "trading.logic.duplicate-order-prevention",
            "Duplicate order prevention implemented",
        ),
        (
            "trading.logic.order-reconciliation",
            "Order reconciliation process working",
        ),
        (
            "trading.logic.end-of-day-reconciliation",
            "End-of-day reconciliation automated",
        ),
        ("trading.controls.trading-limits", "Trading limits enforced"),
        (
            "trading.controls.leverage-limits",
            "Leverage limits enforced",
        ),
        (
            "trading.controls.daily-loss-circuit-breakers",
            "Daily loss circuit breakers tested",
        ),
    ];

    #[test]
    fn fixed_ids_are_present() {
        for &(id, title) in FIXED_IDS {
            let row = SEED
                .iter()
                .find(|row| row.id == id)
                .unwrap_or_else(|| panic!("fixed ID `{id}` is missing"));
            assert_eq!(row.title, title, "title of `{id}`");
        }
    }
}
