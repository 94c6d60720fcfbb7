{{/* Name prefix of every object: the release name unless overridden (so `<release>-refresh`, `<release>-scraper`). */}}
{{- define "ids-moe.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "ids-moe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels; call with (dict "ctx" $ "component" "api"). */}}
{{- define "ids-moe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ids-moe.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ids-moe.labels" -}}
{{ include "ids-moe.selectorLabels" . }}
app.kubernetes.io/part-of: ids-moe
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Label of the Services that serve /observe/metrics (the ServiceMonitor selects them by it): the merger's, the
     ingestor's and the API's observe Service, never the API's clients' Service. */}}
{{- define "ids-moe.metricsLabel" -}}
ids.moe/metrics: "true"
{{- end -}}

{{/* Image of one of our services; call with (dict "ctx" $ "service" "api"). */}}
{{- define "ids-moe.image" -}}
{{- $img := .ctx.Values.image -}}
{{- printf "%s/%s/%s:%s" $img.registry $img.repository .service (default .ctx.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{/* Object names shared between templates and the controller's config. */}}
{{- define "ids-moe.configName" -}}{{ include "ids-moe.fullname" . }}-config{{- end -}}
{{- define "ids-moe.scraperEnvName" -}}{{ include "ids-moe.fullname" . }}-scraper-env{{- end -}}
{{- define "ids-moe.scraperSecretName" -}}{{ default (printf "%s-scraper-credentials" (include "ids-moe.fullname" .)) .Values.scraper.existingSecret }}{{- end -}}
{{- define "ids-moe.databaseSecretName" -}}{{ default (printf "%s-database-credentials" (include "ids-moe.fullname" .)) .Values.database.existingSecret }}{{- end -}}
{{- define "ids-moe.redisSecretName" -}}{{ default (printf "%s-redis-credentials" (include "ids-moe.fullname" .)) .Values.redis.existingSecret }}{{- end -}}
{{- define "ids-moe.postgresqlSecretName" -}}{{ default (printf "%s-postgresql" (include "ids-moe.fullname" .)) .Values.postgresql.auth.existingSecret }}{{- end -}}
{{- define "ids-moe.redisServerSecretName" -}}{{ default (printf "%s-redis" (include "ids-moe.fullname" .)) .Values.redisServer.auth.existingSecret }}{{- end -}}
{{- define "ids-moe.postgresqlHost" -}}{{ include "ids-moe.fullname" . }}-postgresql{{- end -}}
{{- define "ids-moe.redisHost" -}}{{ include "ids-moe.fullname" . }}-redis{{- end -}}
{{- define "ids-moe.postgresqlHeadless" -}}{{ include "ids-moe.fullname" . }}-postgresql-headless{{- end -}}
{{- define "ids-moe.redisHeadless" -}}{{ include "ids-moe.fullname" . }}-redis-headless{{- end -}}

{{/* A password kept across upgrades: the given value, else (on upgrade) the one in the release's Secret, else a
     new one. The lookup runs on upgrades only, so that `helm template` and helm-java (whose template is a dry-run
     install that would query a cluster) render without one. A reinstall over a kept PostgreSQL volume needs
     postgresql.auth.password (or database.existingSecret): PostgreSQL keeps the password of its first start.
     A renderer without a cluster (helm template, Argo CD) generates a new one on every render: with
     generatePasswords=false a missing password fails the render instead.
     Call with (dict "ctx" $ "secret" NAME "key" KEY "value" GIVEN "name" VALUE-PATH). */}}
{{- define "ids-moe.password" -}}
{{- if .value -}}
{{- .value -}}
{{- else if not .ctx.Values.generatePasswords -}}
{{- fail (printf "%s is empty and generatePasswords is false: set it, or name a Secret you manage (see the chart README, \"Passwords\")" .name) -}}
{{- else -}}
{{- $existing := dict -}}
{{- if .ctx.Release.IsUpgrade -}}
{{- $existing = lookup "v1" "Secret" .ctx.Release.Namespace .secret -}}
{{- end -}}
{{- if and $existing (index ($existing.data | default dict) .key) -}}
{{- index $existing.data .key | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Percent-encodes a user name or password for the user-info part of a URL (`@ : / % # ?` and spaces
     survive; the services percent-decode it). Go's urlquery writes a space as "+", which user info would keep as a
     plus sign: spaces become %20 instead (a literal "+" is already %2B). */}}
{{- define "ids-moe.urlUserinfo" -}}
{{- . | urlquery | replace "+" "%20" -}}
{{- end -}}

{{/* Flattens a config tree into Helidon environment variables: scraper.count-floor -> SCRAPER_COUNT_DASH_FLOOR.
     Call with (dict "prefix" "" "tree" MAP). */}}
{{- define "ids-moe.helidonEnv" -}}
{{- $prefix := .prefix -}}
{{- range $k, $v := .tree }}
{{- $name := printf "%s%s" $prefix ($k | replace "-" "_DASH_" | replace "." "_" | upper) -}}
{{- if kindIs "map" $v }}
{{- include "ids-moe.helidonEnv" (dict "prefix" (printf "%s_" $name) "tree" $v) }}
{{- else }}
{{ $name }}: {{ $v | toString | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod security context of the Java pods. */}}
{{- define "ids-moe.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{/* Container security context of every container. */}}
{{- define "ids-moe.securityContext" -}}
{{- toYaml .Values.securityContext -}}
{{- end -}}

{{/* Pod annotations of a Java service: checksums that roll the pods when their configuration or credentials
     change, Prometheus scrape annotations (on the port serving /observe/metrics), the user's.
     Call with (dict "ctx" $ "port" 8081 "extra" MAP). */}}
{{- define "ids-moe.podAnnotations" -}}
{{- $a := dict
  "checksum/config" (include (print .ctx.Template.BasePath "/configmap.yaml") .ctx | sha256sum)
  "checksum/secrets" (include (print .ctx.Template.BasePath "/secrets.yaml") .ctx | sha256sum) -}}
{{- if .ctx.Values.metrics.podAnnotations -}}
{{- $_ := set $a "prometheus.io/scrape" "true" -}}
{{- $_ := set $a "prometheus.io/port" (toString .port) -}}
{{- $_ := set $a "prometheus.io/path" "/observe/metrics" -}}
{{- end -}}
{{- toYaml (mustMergeOverwrite $a (.extra | default dict)) -}}
{{- end -}}

{{/* Volumes and mounts of a Java service: its config file, Helidon's meta-config and a writable /tmp.
     Call with (dict "ctx" $ "service" "api"). */}}
{{- define "ids-moe.javaVolumes" -}}
- name: config
  configMap:
    name: {{ include "ids-moe.configName" .ctx }}
    items:
      - key: meta-config.yaml
        path: meta-config.yaml
      - key: {{ .service }}.yaml
        path: application.yaml
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{- define "ids-moe.javaMounts" -}}
- name: config
  mountPath: /etc/ids-moe
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Environment every Java container gets: JDK_JAVA_OPTIONS with Helidon's meta-config, the service's own JVM
     options, then javaOptions (every container's), which win where they name the same flag (the JVM takes the last).
     Call with (dict "ctx" $ "options" .Values.api.javaOptions); "options" may be empty. */}}
{{- define "ids-moe.javaEnv" -}}
- name: JDK_JAVA_OPTIONS
  value: {{ list "-Dio.helidon.config.meta-config=/etc/ids-moe/meta-config.yaml" (.options | default "" | trim) (.ctx.Values.javaOptions | default "" | trim) | compact | join " " | quote }}
{{- end -}}

{{- define "ids-moe.databaseEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "ids-moe.databaseSecretName" . }}
      key: DATABASE_URL
{{- end -}}

{{- define "ids-moe.redisEnv" -}}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "ids-moe.redisSecretName" . }}
      key: REDIS_URL
- name: REDIS_PREFIX
  value: {{ .Values.redis.prefix | quote }}
{{- end -}}

{{/* Probes on Helidon's health endpoints (readiness checks PostgreSQL/Redis, liveness the JVM). Call with the
     name of the container port serving /observe: "http" (merger, ingestor), "observe" (the API). The startup
     probe asks every second (a service started from its image's AOT cache answers in about one), up to five
     minutes; readiness every two seconds, so a started pod takes traffic at most two seconds later. */}}
{{- define "ids-moe.probes" -}}
startupProbe:
  httpGet:
    path: /observe/health/live
    port: {{ . }}
  periodSeconds: 1
  failureThreshold: 300
livenessProbe:
  httpGet:
    path: /observe/health/live
    port: {{ . }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /observe/health/ready
    port: {{ . }}
  periodSeconds: 2
  timeoutSeconds: 2
  failureThreshold: 3
{{- end -}}
