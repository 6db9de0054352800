import ArgumentParser

/// `cronmetrics config example`: a complete configuration file, every setting
/// with its default and a comment (a test checks that it is valid and that it
/// sets every key).
struct ConfigExampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example", abstract: "Print a complete, commented configuration file (every setting at its default).")

    func run() {
        print(Self.text, terminator: "")
    }

    static let text = """
        # cronmetrics.yaml: every setting, at its default unless said otherwise.
        # Precedence: defaults < this file < CRONMETRICS_<SECTION>_<KEY> variables < flags.
        # Check a file with `cronmetrics config validate FILE`; see what is in force
        # with `cronmetrics config show`. Reference: docs/configuration.md.

        server:
          listen: 127.0.0.1:8080           # HOST:PORT; 0.0.0.0:8080 to serve other hosts
          max_body_bytes: 1048576          # larger requests get 413 (1 KiB-64 MiB)
          max_connections: 4096            # more are closed at once
          header_timeout_seconds: 10       # a new connection must send its headers within this
          body_timeout_seconds: 30         # ... and a request its body
          idle_timeout_seconds: 60         # a kept-alive connection may idle this long
          trusted_proxies: []              # reverse proxies (10.0.0.0/8, 127.0.0.1): behind them the
                                           # client is read from X-Forwarded-For (sign-in limits)
          tls:                             # HTTPS when both are set (PEM; reloaded on SIGHUP)
            cert_file:                     # e.g. /etc/cronmetrics/tls/cert.pem
            key_file:                      # e.g. /etc/cronmetrics/tls/key.pem
          external_url:                    # e.g. https://cron.example.com: links in notifications
                                           # and the dashboard's snippets

        jobs:
          dir: ./jobs.d                    # the job files (a git checkout)
          watch: inotify                   # inotify, poll (NFS) or off (SIGHUP / POST /-/reload only)
          poll_interval_seconds: 2         # with watch: poll
          read_only: false                 # true: job writes through the API, CLI --server and dashboard get 409 (change jobs.d in git)

        storage:
          database: ./cronmetrics.db       # SQLite; results, state and the notification outbox
          url: ""                          # PostgreSQL instead: postgres://user@host:5432/database (no password here)
          password_file: ""                # the PostgreSQL password, from this file ...
          password_env: ""                 # ... or from this environment variable
          tls:
            mode: verify-full              # disable | require | verify-full
            ca_file: ""                    # the CA that signs the server's certificate (default: the system's)
          pool_size: 10                    # connections at most (the cron-exporter's database.max_open_conns)
          statement_timeout: 30s           # a statement running longer is cancelled: 503
          connect_timeout: 5s              # wait at most this for a connection, then 503

        ha:                                # several replicas on one PostgreSQL: docs/high-availability.md
          replica_name: ""                 # this replica's name; empty: host name and listen port
          takeover_after: 10s              # followers save a deadline overdue this long (a frozen leader)
          claim_lease: 2m                  # a replica that dies mid-delivery leaves its claims after this

        security:
          admin_api_keys: []               # keys, or sha256:<hex> of a key (safe to commit);
                                           # named for the audit trail: - {name: alice, sha256: <hex>}
                                           # (env: alice:KEY); none: admin routes answer 401
          read_api_keys: []                # the same, for every GET of the API and the
                                           # dashboard (403 on writes)

        dashboard:                         # docs/dashboard.md
          enabled: true                    # /dashboard: sign in with an admin or read-only key
          title: cronmetrics               # the name in its header
          session_ttl: 12h                 # a sign-in lasts this long (5m-30d)
          badge_key:                       # the secret in /badge/KEY/... URLs (make one with
                                           # `openssl rand -hex 16`); none: no badges
          max_streams: 0                   # live-update streams open at most; 0: a quarter of
                                           # server.max_connections
          max_streams_per_session: 8       # ... and per signed-in session (429 beyond)

        retention:
          days: 30                         # results older than this are purged daily
          keep_last: 0                     # ... but at least this many per job are kept
          rollup_days: 400                 # hourly and daily statistics (rollups, flips) are kept this long
          audit_days: 400                  # audit rows (who changed what) are kept this long
          redact_output: false             # true: store no output at all
          redact_patterns: []              # regular expressions; matches become [REDACTED]
          max_output_bytes: 65536          # output keeps its last this-many bytes

        metrics:
          duration_histogram: false        # true: every job exports cronjob_duration_seconds (17 series
                                           # a job) unless its file says metrics: {duration_histogram: false}

        log:
          level: info                      # trace, debug, info, notice, warning, error, critical
          format: text                     # text (key=value) or json

        notifications:                     # docs/notifications.md; Alertmanager first if you have it
          default_channels: []             # channels for jobs whose file has no notify:
          repeat_interval:                 # e.g. 4h: resend down while it lasts (default: never)
          retry:
            base: 1s                       # exponential backoff with full jitter ...
            cap: 10m                       # ... never longer than this
            max_attempts: 10               # then the message is a dead letter ...
            max_age: 24h                   # ... or once this old
          timeout: 30s                     # one whole delivery
          connect_timeout: 10s
          # channels:                      # one mapping per name; secrets from *_file or *_env
          #   ops:
          #     type: webhook
          #     url_env: OPS_WEBHOOK_URL
          #     secret_file: secrets/ops-hmac        # signs each body (X-Cronmetrics-Signature)
          #   slack-infra:
          #     type: slack
          #     url_file: secrets/slack-infra-webhook
          #   mail-oncall:
          #     type: email
          #     host: smtp.example.com
          #     starttls: true
          #     username: cronmetrics
          #     password_file: secrets/smtp
          #     from: cronmetrics@example.com
          #     to: [oncall@example.com]
          #   pager:
          #     type: pagerduty
          #     routing_key_env: PAGERDUTY_ROUTING_KEY

        """
}
