/**
 * GENERATED from api/openapi.yaml by `jlpm generate:api` (openapi-typescript): do not edit by hand.
 * Change the document and regenerate; `jlpm check:api` fails while this file is out of date.
 */

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The server is up and serves this workspace. */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * WebSocket of the workspace's change feed.
         * @description Upgrade to a WebSocket. The server replays the events after `cursor` (default: none, only new ones), sends
         *     `{"type": "ready", "cursor": seq}`, then streams events live as JSON messages, each with its `seq`. A client
         *     that reconnects passes the last `seq` it received and misses nothing; if those events were pruned it
         *     receives `{"type": "reset", "cursor": seq}` and should reload its views.
         *     Event kinds: `run_created`, `status`, `metrics` and `artifacts` (of the run `run_id`), and `model` for
         *     every registry change (`run_id` null; `data` is `{name, version, action, key}` with the action and key of
         *     the model's history entry: registered, deleted, alias_set, alias_deleted, tag_set, tag_deleted).
         *     The messages are the schemas `EventsReset`, `EventsReady` and `ChangeEvent`.
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/experiments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** All experiments, by name, with their run counts. */
        get: operations["listExperiments"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/experiments/{experiment}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the experiment's name; created on first use */
                experiment: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a new Running run (the SDK's `start_run` over HTTP). */
        post: operations["createRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search runs with the filter language of `mlx.search_runs`. */
        get: operations["searchRuns"];
        put?: never;
        /**
         * Submit a script under the Jupyter root folder as a queued run on a compute target.
         * @description The source folder is snapshotted and the run is queued; the dispatcher starts it. Paths are relative to
         *     the Jupyter root folder and must stay inside it. Needs the `execute` permission on `mlext`. A refused
         *     submission creates no run.
         */
        post: operations["submitRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        /** One run with its params, tags and latest metrics. */
        get: operations["getRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Move the run along its state machine (a terminal status is final). */
        patch: operations["setRunStatus"];
        trace?: never;
    };
    "/runs/{run_id}/params": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log params; params are immutable (the same value again is accepted, another one is a 409). */
        post: operations["logParams"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/tags": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set tags (a tag may change). */
        post: operations["setTags"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Append metric points in one transaction (all of them, or none if one is refused). */
        post: operations["logMetrics"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/metrics/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
                /** @description the metric's name, URL-encoded (`train%2Floss` for `train/loss`) */
                key: string;
            };
            cookie?: never;
        };
        /** A metric series, downsampled on the server to at most `max_points` buckets. */
        get: operations["getMetricHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/artifacts": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        /** The run's artifacts, or those at `path` and below it. */
        get: operations["listArtifacts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/artifacts/{path}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
                /** @description the artifact's path in the run, with `/` between folders; no `..`, not absolute */
                path: string;
            };
            cookie?: never;
        };
        /** Stream one artifact, with a content type guessed from its name. */
        get: operations["downloadArtifact"];
        /** Upload one artifact as the raw request body (streamed to disk, then hashed). */
        put: operations["uploadArtifact"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        /** A chunk of the run's stdout/stderr; follow it by asking again from `next_offset`. */
        get: operations["readLog"];
        put?: never;
        /** Append the raw request body to the run's log. */
        post: operations["appendLog"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/snapshot": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        /** The archive (tar.gz) of the source folder a submitted run executes. */
        get: operations["downloadSnapshot"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/job": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        /** The execution record of a submitted run. */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/job/process": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A runner records the process it started for its attempt; the attempt can do so only once. */
        post: operations["recordProcess"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/job/exit": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A runner records the exit code of its attempt's process. */
        post: operations["recordExit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{run_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a submitted run.
         * @description A queued run becomes Canceled at once; a started one gets SIGTERM on its process group (SIGKILL after a
         *     grace period) and ends Canceled. The body is empty or `{}`.
         */
        post: operations["cancelRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/compute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Compute targets with their active and queued run counts. */
        get: operations["listComputeTargets"];
        put?: never;
        /** Create a compute target. */
        post: operations["createComputeTarget"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/compute/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        /** One compute target. */
        get: operations["getComputeTarget"];
        put?: never;
        post?: never;
        /** Delete a compute target; refused for the built-in `local` and while it has queued or active runs. */
        delete: operations["deleteComputeTarget"];
        options?: never;
        head?: never;
        /** Change how many runs the target executes at once. */
        patch: operations["updateComputeTarget"];
        trace?: never;
    };
    "/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Registered models by name, with their latest version, version count and aliases. */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/model-versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Versions of every model by (part of) the model's name, by tags they all carry, or by their run. */
        get: operations["searchModelVersions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
            };
            cookie?: never;
        };
        /** The versions of one model, newest first. */
        get: operations["listModelVersions"];
        put?: never;
        /**
         * Register the next version of a model (created on first use) from a run's artifact file or folder.
         * @description The files are copied into the workspace (hard-linked where possible), so the version keeps its bytes
         *     whatever happens to the run's artifacts later. Versions count up with no gap or duplicate, also under
         *     concurrent registrations. Local files are registered with the SDK or the CLI, not over REST.
         */
        post: operations["registerModelVersion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        /** One version with its tags, properties and aliases. */
        get: operations["getModelVersion"];
        put?: never;
        post?: never;
        /** Delete a version, its aliases and its files; refused while a deployment serves it. */
        delete: operations["deleteModelVersion"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}/tags": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Set and delete tags of a version; each change is written to the model's history with the user. */
        patch: operations["updateModelVersionTags"];
        trace?: never;
    };
    "/models/{name}/versions/{version}/lineage": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        /** Where a version came from, its run (params, metrics, source, snapshot) and that run's parents. */
        get: operations["getModelLineage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/versions/{version}/download": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        /**
         * The version's files, as an attachment.
         * @description A version of one file answers that file (content type guessed from its name); a version of several files
         *     answers a `.tar.gz` archive of its folder. A version that only references files outside the workspace
         *     is refused (409).
         */
        get: operations["downloadModelVersion"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/aliases/{alias}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description e.g. `production`: a letter, then letters, digits, `_`, `-` or `.` (at most 64) */
                alias: string;
            };
            cookie?: never;
        };
        get?: never;
        /** Point an alias at a version (moving it if it pointed elsewhere); the move is kept in the history. */
        put: operations["setModelAlias"];
        post?: never;
        /** Remove an alias; the removal is kept in the history. */
        delete: operations["deleteModelAlias"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/models/{name}/history": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
            };
            cookie?: never;
        };
        /** The model's append-only history, oldest first - who registered, tagged, aliased or deleted what. */
        get: operations["getModelHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pipelines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Published pipelines with their latest version and schedule. */
        get: operations["listPipelines"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pipelines/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Export a notebook (cells tagged `step:<name>`) to a pipeline folder that runs without Jupyter.
         * @description Writes pipeline.yaml, one script per step and a loader for the variables passed between steps. Paths are
         *     relative to the Jupyter root folder; the default folder is `<notebook stem>_pipeline/` beside the notebook.
         */
        post: operations["exportNotebookPipeline"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pipelines/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a published pipeline's name */
                name: components["parameters"]["PipelineName"];
            };
            cookie?: never;
        };
        /** A published pipeline's versions (definitions) and schedule. */
        get: operations["describePipeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pipelines/{name}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a published pipeline's name */
                name: components["parameters"]["PipelineName"];
            };
            cookie?: never;
        };
        /** Runs of a pipeline, newest first. */
        get: operations["listPipelineRuns"];
        put?: never;
        /** Run a published pipeline (its latest version unless `version`); the server's dispatcher drives it. */
        post: operations["triggerPipeline"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pipeline-runs/{run_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        /** A pipeline run as a DAG of steps with their states, child runs and dependencies. */
        get: operations["describePipelineRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/pipeline-runs/{run_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel a running pipeline run.
         * @description Records the cancel for whoever drives the run (the server's dispatcher or a `run_pipeline(wait=True)`
         *     caller), which cancels the jobs of its submitted steps (step state `canceled`), marks the steps not yet
         *     started `not_started` and ends the run Canceled (state `canceled`); answers the run once that is done, or
         *     with state `canceling` if its driver takes longer than a few seconds. Canceling again while it is
         *     `canceling` is harmless; a run that has ended is refused (409). The body is empty or `{}`.
         */
        post: operations["cancelPipelineRun"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sweeps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Sweeps, newest first, with their trial counts and best value. */
        get: operations["listSweeps"];
        put?: never;
        /**
         * Create a sweep; the server's daemon samples, runs and judges its trials.
         * @description The fields of `mlx.sweep` (and of a sweep.yaml). `script` and `source_dir` are relative to the Jupyter
         *     root folder. Every field is checked before anything is created; a refusal is a 400 naming the field.
         */
        post: operations["createSweep"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sweeps/{sweep_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a sweep id (its parent run's), or a unique prefix of one (at least 4 characters) */
                sweep_id: components["parameters"]["SweepId"];
            };
            cookie?: never;
        };
        /** A sweep with its trials (values, state, value of the primary metric, termination reason). */
        get: operations["describeSweep"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sweeps/{sweep_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a sweep id (its parent run's), or a unique prefix of one (at least 4 characters) */
                sweep_id: components["parameters"]["SweepId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a live sweep (state Canceling until its driver has stopped the trials). */
        post: operations["cancelSweep"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sweeps/{sweep_id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a sweep id (its parent run's), or a unique prefix of one (at least 4 characters) */
                sweep_id: components["parameters"]["SweepId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Let a sweep go on up to max_trials trials in all; finished trials are never re-run. */
        post: operations["resumeSweep"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Online endpoints with their URL, traffic split and deployments (not their keys; see /endpoints/{endpoint}/key). */
        get: operations["listEndpoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/endpoints/{endpoint}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
            };
            cookie?: never;
        };
        /** One endpoint; a deployment whose process is gone shows as Down until it is restarted. */
        get: operations["getEndpoint"];
        put?: never;
        post?: never;
        /** Stop the endpoint's router and deployments and remove them; its metrics run is completed. */
        delete: operations["deleteEndpoint"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/endpoints/{endpoint}/key": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
            };
            cookie?: never;
        };
        /**
         * The endpoint's key, sent by its clients as `Authorization: Bearer <key>`.
         * @description No other answer carries the key. Reading it needs the `write` permission on `mlext` (the right to change
         *     the endpoint), not only `read`.
         */
        get: operations["getEndpointKey"];
        put?: never;
        /**
         * Replace the endpoint's key; the router refuses the old key from this answer on, without a restart.
         * @description The router has applied the new key before the answer, so a client that switches to it fails no request.
         *     Scoring processes (reachable on 127.0.0.1 only) accept the old key for a few seconds more, for requests
         *     the router let through just before the change. The body is empty or `{}`.
         */
        post: operations["regenerateEndpointKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/endpoints/{endpoint}/traffic": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
            };
            cookie?: never;
        };
        get?: never;
        /** Replace the traffic split; the router applies it before the answer, without failing a request. */
        put: operations["setEndpointTraffic"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/endpoints/{endpoint}/deployments": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description created if it does not exist */
                endpoint: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Serve a model version with a scoring script; answers once the deployment is ready and routed.
         * @description Refused before any process starts when the model version does not exist (404), the scoring script is
         *     missing or defines no `init`/`run` (400) or the deployment exists (409). A script that fails to import
         *     or whose `init()` raises is a 400 naming the error; nothing is left behind.
         */
        post: operations["createDeployment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/endpoints/{endpoint}/deployments/{deployment}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
                deployment: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Stop and remove a deployment; refused while it takes traffic, unless it is the endpoint's last.
         * @description Deleting the endpoint's last deployment deletes the endpoint too, unless `keep_endpoint=true`.
         */
        delete: operations["deleteDeployment"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/endpoints/{endpoint}/deployments/{deployment}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
                deployment: string;
            };
            cookie?: never;
        };
        /** The end of a deployment's log, where a scoring error's id leads to its traceback. */
        get: operations["getDeploymentLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/batch-scoring": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Queue a run that scores every file of a folder; the results become the run's outputs. */
        post: operations["submitBatchScoring"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Deployment: {
            endpoint: string;
            name: string;
            model_name: string;
            model_version: number;
            /** @description the scoring script's path inside its snapshot */
            script: string;
            /** @description sha256 of the scoring code's snapshot */
            snapshot_id: string | null;
            port: number | null;
            pid: number | null;
            pid_started_at: number | null;
            /**
             * @description Down when the recorded process is gone (a server on the workspace restarts it)
             * @enum {string}
             */
            status: "Starting" | "Ready" | "Failed" | "Down";
            /** @description why it failed to start */
            error: string | null;
            user: string | null;
            created_at: components["schemas"]["Timestamp"];
            updated_at: components["schemas"]["Timestamp"];
            /** @description its share of the requests (percent) */
            traffic: number;
        };
        /** @description An endpoint as anyone who may read the workspace sees it; its key is at /endpoints/{endpoint}/key. */
        Endpoint: {
            name: string;
            /** @description the router, e.g. http://127.0.0.1:41234 */
            url: string | null;
            /** @description POST here with Authorization: Bearer <key> */
            scoring_url: string | null;
            port: number | null;
            pid: number | null;
            pid_started_at: number | null;
            /** @description deployment names to percentages (only those above 0) */
            traffic: {
                [key: string]: number;
            };
            config_version: number;
            /** @description the run (experiment "endpoints") holding request metrics */
            run_id: string | null;
            user: string | null;
            created_at: components["schemas"]["Timestamp"];
            updated_at: components["schemas"]["Timestamp"];
            deployments: components["schemas"]["Deployment"][];
        };
        EndpointKey: {
            endpoint: string;
            key: string;
        };
        ListEndpoints: {
            endpoints: components["schemas"]["Endpoint"][];
        };
        CreateDeployment: {
            /** @description NAME:VERSION, NAME@ALIAS or NAME (the latest version) */
            model: string;
            /** @description a script with init() and run(data), relative to the Jupyter root */
            scoring_script: string;
            /** @default default */
            deployment?: string;
            /** @description the folder shipped with the script, relative to the Jupyter root (default the script's folder) */
            source_dir?: string | null;
            /** @description its share; default 100 for an endpoint's first deployment, else 0 */
            traffic?: number | null;
        };
        SetTraffic: {
            /** @description deployment names to whole percentages adding up to 100 (or 0), e.g. {blue: 90, green: 10} */
            traffic: {
                [key: string]: number;
            };
        };
        DeploymentLog: {
            endpoint: string;
            deployment: string;
            log: string;
        };
        SubmitBatchScoring: {
            /** @description NAME:VERSION, NAME@ALIAS or NAME (the latest version) */
            model: string;
            /** @description a script with init() and run(data), relative to the Jupyter root */
            scoring_script: string;
            /** @description the folder of input files */
            inputs: string;
            source_dir?: string | null;
            /** @default local */
            compute?: string;
            /** @default batch-scoring */
            experiment?: string;
            name?: string | null;
            /** @description seconds after which the run is stopped and Failed */
            timeout?: number | null;
        };
        /** @description param names to values */
        PipelineParams: {
            [key: string]: string | number | boolean | null;
        };
        /** @description a letter or '_', then letters, digits or '_' */
        ParamName: string;
        /** @description a letter or '_', then up to 99 letters, digits, '_' or '-' */
        StepName: string;
        PipelineSchedule: {
            pipeline: string;
            /** @description a cron expression in the server's local time, e.g. *\/5 * * * * */
            cron: string;
            params: components["schemas"]["PipelineParams"];
            /** @description a pinned version; null runs the latest */
            version: number | null;
            enabled: boolean;
            last_fired: components["schemas"]["Timestamp"];
            user: string | null;
            created_at: components["schemas"]["Timestamp"];
            next_fire?: components["schemas"]["Timestamp"];
        };
        PipelineSummary: {
            name: string;
            latest_version: number;
            version_count: number;
            updated_at: components["schemas"]["Timestamp"];
            schedule: components["schemas"]["PipelineSchedule"] | null;
        };
        ListPipelines: {
            pipelines: components["schemas"]["PipelineSummary"][];
        };
        PublishedPipeline: {
            name: string;
            version: number;
            definition: components["schemas"]["PipelineDefinition"];
            /** @description sha256 of the pipeline folder's snapshot */
            snapshot_id: string | null;
            user: string | null;
            created_at: components["schemas"]["Timestamp"];
        };
        /** @description the pipeline.yaml fields, as published */
        PipelineDefinition: {
            /** @description a letter or digit, then up to 99 letters, digits, '_', '-' or '.' */
            name: string;
            params: components["schemas"]["PipelineParams"];
            steps: components["schemas"]["PipelineStepDefinition"][];
        };
        /** @description one step; exactly one of script, notebook and cells; fields at their default are left out */
        PipelineStepDefinition: {
            name: components["schemas"]["StepName"];
            /** @description a Python file in the pipeline's folder */
            script?: string;
            /** @description a notebook in the pipeline's folder */
            notebook?: string;
            /** @description the sources of the cells the step runs */
            cells?: string[];
            /** @description input names to `step.output` or to a file or folder in the pipeline's folder */
            inputs?: {
                [key: string]: string;
            };
            outputs?: components["schemas"]["StepName"][];
            /** @description the step's params; a value `${name}` takes the pipeline param `name` */
            params?: components["schemas"]["PipelineParams"];
            /** @default local */
            compute?: string;
            timeout_s?: number;
        };
        DescribePipeline: {
            name: string;
            versions: components["schemas"]["PublishedPipeline"][];
            schedule: components["schemas"]["PipelineSchedule"] | null;
        };
        /**
         * @description Canceling = a cancel was requested and is being carried out
         * @enum {string}
         */
        PipelineRunState: "Running" | "Completed" | "Failed" | "Canceling" | "Canceled";
        PipelineRunSummary: {
            /** @description the parent run's id */
            run_id: string;
            pipeline: string;
            /** @description null for a pipeline run from a folder */
            version: number | null;
            source_dir: string;
            params: components["schemas"]["PipelineParams"];
            force: boolean;
            /** @description manual, sdk, cli, rest or schedule */
            trigger: string;
            state: components["schemas"]["PipelineRunState"];
            error: string | null;
            created_at: components["schemas"]["Timestamp"];
            ended_at: number | null;
        };
        ListPipelineRuns: {
            runs: components["schemas"]["PipelineRunSummary"][];
        };
        PipelineRunStep: {
            name: string;
            /** @enum {string} */
            kind: "script" | "notebook" | "cells";
            /**
             * @description Pending (waits for its inputs), Queued (submitted; `status` is its child run's), Completed, Reused (an
             *     earlier run with the same code, params, inputs and environment stands for it), Failed, NotStarted
             *     (an earlier step failed; its child run is Canceled with tag mlext.step_state=NotStarted),
             *     Canceled (submitted, then stopped by a cancel of the pipeline run)
             * @enum {string}
             */
            state: "Pending" | "Queued" | "Completed" | "Reused" | "Failed" | "NotStarted" | "Canceled";
            status: components["schemas"]["RunStatus"] | null;
            /** @description the step's child run */
            run_id: string | null;
            /** @description the run whose outputs a reused step stands for */
            reused_from: string | null;
            depends_on: string[];
            inputs: {
                [key: string]: string;
            };
            outputs: string[];
            compute: string;
            error: string | null;
        };
        PipelineRun: {
            run_id: string;
            pipeline: string;
            version: number | null;
            source_dir: string;
            params: components["schemas"]["PipelineParams"];
            force: boolean;
            trigger: string;
            state: components["schemas"]["PipelineRunState"];
            error: string | null;
            created_at: components["schemas"]["Timestamp"];
            ended_at: number | null;
            status: components["schemas"]["RunStatus"];
            steps: components["schemas"]["PipelineRunStep"][];
        };
        TriggerPipeline: {
            params?: components["schemas"]["PipelineParams"];
            /** @description default the latest */
            version?: number | null;
        };
        ExportPipeline: {
            /** @description the notebook */
            notebook: string;
            /** @description the folder to write (default: <notebook stem>_pipeline/) */
            out_dir?: string | null;
        };
        ExportedPipeline: {
            /** @description the folder written */
            folder: string;
        };
        Error: {
            error: string;
            /** @description the request field at fault */
            field?: string;
        };
        /** @description the replay after the client's cursor is done: every event up to `cursor` was sent */
        EventsReady: {
            /** @constant */
            type: "ready";
            cursor: number;
        };
        /** @description the events after the client's cursor were pruned; it should reload its views (`ready` follows) */
        EventsReset: {
            /** @constant */
            type: "reset";
            cursor: number;
        };
        /** @description one entry of the workspace's change feed, as the events WebSocket sends it */
        ChangeEvent: components["schemas"]["RunCreatedEvent"] | components["schemas"]["StatusEvent"] | components["schemas"]["MetricsEvent"] | components["schemas"]["ArtifactsEvent"] | components["schemas"]["ModelEvent"];
        /** @description a run was created */
        RunCreatedEvent: {
            /** @constant */
            type: "event";
            /** @description the cursor to resume from */
            seq: number;
            at: components["schemas"]["Timestamp"];
            /** @constant */
            kind: "run_created";
            run_id: string;
            data: {
                experiment: string;
                parent_id: string | null;
                status: components["schemas"]["RunStatus"];
            };
        };
        /** @description a run's status changed */
        StatusEvent: {
            /** @constant */
            type: "event";
            /** @description the cursor to resume from */
            seq: number;
            at: components["schemas"]["Timestamp"];
            /** @constant */
            kind: "status";
            run_id: string;
            data: {
                status: components["schemas"]["RunStatus"];
                previous: components["schemas"]["RunStatus"];
            };
        };
        /** @description metric points were logged to a run, in one batch */
        MetricsEvent: {
            /** @constant */
            type: "event";
            /** @description the cursor to resume from */
            seq: number;
            at: components["schemas"]["Timestamp"];
            /** @constant */
            kind: "metrics";
            run_id: string;
            data: {
                /** @description the series the batch touched, by metric name */
                series: {
                    [key: string]: components["schemas"]["MetricsEventSeries"];
                };
            };
        };
        /** @description artifacts were written to a run */
        ArtifactsEvent: {
            /** @constant */
            type: "event";
            /** @description the cursor to resume from */
            seq: number;
            at: components["schemas"]["Timestamp"];
            /** @constant */
            kind: "artifacts";
            run_id: string;
            data: {
                paths: string[];
            };
        };
        /** @description a registry change, with the action and key of the entry it added to the model's history */
        ModelEvent: {
            /** @constant */
            type: "event";
            /** @description the cursor to resume from */
            seq: number;
            at: components["schemas"]["Timestamp"];
            /** @constant */
            kind: "model";
            run_id: null;
            data: {
                /** @description the model */
                name: string;
                version: number | null;
                action: components["schemas"]["RegistryAction"];
                /** @description the tag or the alias */
                key: string | null;
            };
        };
        /**
         * @description The newest points (at most 200) of one series a metric batch touched; `truncated` when the batch held more,
         *     in which case a client refetches the history.
         */
        MetricsEventSeries: {
            /** @description how many points the batch wrote to the series */
            count: number;
            truncated: boolean;
            steps: number[];
            timestamps: components["schemas"]["Timestamp"][];
            values: components["schemas"]["Real"][];
        };
        Health: {
            /** @constant */
            status: "ok";
            version: string;
            /** @description absolute path of the workspace folder */
            workspace: string;
            experiments: number;
        };
        /** @description a float; values that are not finite are spelt as strings */
        Real: number | ("NaN" | "Infinity" | "-Infinity");
        /** @description seconds since the Unix epoch */
        Timestamp: number;
        /** @enum {string} */
        RunStatus: "Queued" | "Preparing" | "Running" | "Finalizing" | "Completed" | "Failed" | "Canceled";
        Experiment: {
            id: number;
            name: string;
            created_at: components["schemas"]["Timestamp"];
            run_count: number;
        };
        ListExperiments: {
            experiments: components["schemas"]["Experiment"][];
        };
        MetricSummary: {
            key: string;
            last: components["schemas"]["Real"];
            /** @description smallest value that is not NaN (null if all are NaN) */
            min: components["schemas"]["Real"] | null;
            /** @description largest value that is not NaN (null if all are NaN) */
            max: components["schemas"]["Real"] | null;
            last_step: number;
            last_timestamp: components["schemas"]["Timestamp"];
            count: number;
        };
        RunInfo: {
            id: string;
            experiment_id: number;
            experiment: string;
            parent_id: string | null;
            name: string;
            status: components["schemas"]["RunStatus"];
            created_at: components["schemas"]["Timestamp"];
            started_at: number | null;
            ended_at: number | null;
            user: string | null;
            /** @description e.g. job, notebook, script */
            source_type: string | null;
            source_name: string | null;
            /** @description the compute target of a submitted run */
            compute: string | null;
            git_commit: string | null;
            /** @description sha256 of the source snapshot */
            snapshot_id: string | null;
            /** @description why the run failed or was canceled */
            error: string | null;
            params: {
                [key: string]: string;
            };
            tags: {
                [key: string]: string;
            };
            /** @description the latest, smallest and largest value of each metric, by name */
            metrics: {
                [key: string]: components["schemas"]["MetricSummary"];
            };
        };
        RunPage: {
            runs: components["schemas"]["RunInfo"][];
            /** @description pass as `page_token` for the next page; null on the last one */
            next_page_token: string | null;
        };
        /**
         * @description A series as parallel columns. When `downsampled`, each point stands for a bucket of steps: `values` holds
         *     the bucket's last value, `mins` and `maxs` its extremes.
         */
        MetricHistory: {
            run_id: string;
            key: string;
            steps: number[];
            timestamps: components["schemas"]["Timestamp"][];
            values: components["schemas"]["Real"][];
            mins: components["schemas"]["Real"][];
            maxs: components["schemas"]["Real"][];
            total_points: number;
            downsampled: boolean;
        };
        Artifact: {
            run_id: string;
            path: string;
            size: number;
            sha256: string;
            created_at: components["schemas"]["Timestamp"];
        };
        ListArtifacts: {
            artifacts: components["schemas"]["Artifact"][];
        };
        LogChunk: {
            run_id: string;
            /** @description where this chunk starts in the log */
            offset: number;
            /** @description where to read on from */
            next_offset: number;
            /** @description UTF-8 text (undecodable bytes replaced) */
            text: string;
            /** @description the log's size in bytes now */
            size: number;
            /** @description the run has ended and everything has been read */
            complete: boolean;
        };
        Job: {
            run_id: string;
            /** @description the compute target */
            target: string;
            /** @description the script's path inside the snapshot */
            entry: string;
            args: string[];
            timeout_s: number | null;
            queued_at: components["schemas"]["Timestamp"];
            /** @description the execution attempt that claimed the run */
            attempt: string | null;
            host: string | null;
            pid: number | null;
            pid_started_at: number | null;
            exit_code: number | null;
            cancel_requested: boolean;
        };
        ComputeTarget: {
            name: string;
            /** @enum {string} */
            kind: "local" | "dask";
            /** @description the Dask scheduler, e.g. tcp://10.0.0.5:8786 */
            address: string | null;
            concurrency: number;
            created_at: components["schemas"]["Timestamp"];
            /** @description runs preparing */
            busy: number;
            queued: number;
        };
        ListComputeTargets: {
            targets: components["schemas"]["ComputeTarget"][];
        };
        /** @description names to values; the store keeps values as text (at most 8 KB of UTF-8 each) */
        Scalars: {
            [key: string]: string | number;
        };
        CreateRun: {
            name?: string | null;
            /** @description the parent run of a child run */
            parent_id?: string | null;
            params?: components["schemas"]["Scalars"];
            tags?: components["schemas"]["Scalars"];
            source_type?: string | null;
            source_name?: string | null;
            /** @description the commit of the code that logs into the run */
            git_commit?: string | null;
            /** @description default the Jupyter user */
            user?: string | null;
        };
        SetStatus: {
            status: components["schemas"]["RunStatus"];
            /** @description why the run failed */
            error?: string | null;
        };
        LogParams: {
            params: components["schemas"]["Scalars"];
        };
        SetTags: {
            tags: components["schemas"]["Scalars"];
        };
        LogMetrics: {
            points: [
                string,
                components["schemas"]["Real"],
                number | null,
                number | null
            ][];
        };
        MetricsLogged: {
            count: number;
        };
        SubmitRun: {
            /** @description the script, relative to the Jupyter root folder */
            script: string;
            args?: string[];
            /** @description the folder to snapshot, relative to the Jupyter root folder (default the script's folder) */
            source_dir?: string | null;
            /** @default local */
            compute?: string;
            /** @default Default */
            experiment?: string;
            name?: string | null;
            params?: components["schemas"]["Scalars"];
            tags?: components["schemas"]["Scalars"];
            /** @description seconds after which the run is stopped and Failed */
            timeout?: number | null;
        };
        RecordProcess: {
            attempt: string;
            host: string;
            pid: number;
            /** @description the process's start time (seconds since the epoch) */
            pid_started_at: number;
        };
        RecordExit: {
            attempt: string;
            exit_code?: number | null;
        };
        CreateComputeTarget: {
            name: string;
            /**
             * @default local
             * @enum {string}
             */
            kind?: "local" | "dask";
            /** @description required for dask */
            address?: string | null;
            /** @default 1 */
            concurrency?: number;
        };
        UpdateComputeTarget: {
            concurrency: number;
        };
        /** @description names to values, as stored (text) */
        TextMap: {
            [key: string]: string;
        };
        ModelVersion: {
            name: string;
            version: number;
            /** @description the run it was registered from */
            run_id: string | null;
            /** @description `runs:/<run id>/<artifact path>`, or the local path registered */
            source: string;
            /** @enum {string} */
            stored: "copy" | "reference";
            /** @description the folder under the workspace (`copy`), or the absolute path of the files (`reference`) */
            location: string;
            framework: string | null;
            description: string | null;
            /** @description who registered it */
            user: string | null;
            created_at: components["schemas"]["Timestamp"];
            /** @description bytes of all its files */
            size: number;
            file_count: number;
            tags: components["schemas"]["TextMap"];
            properties: components["schemas"]["TextMap"];
            aliases: string[];
        };
        RegisteredModel: {
            name: string;
            created_at: components["schemas"]["Timestamp"];
            /** @description null once every version was deleted */
            latest_version: number | null;
            version_count: number;
            /** @description alias → the version it points at */
            aliases: {
                [key: string]: number;
            };
        };
        /** @description one line of a model's append-only history */
        RegistryChange: {
            seq: number;
            at: components["schemas"]["Timestamp"];
            /** @description who made the change (the Jupyter user over REST) */
            user: string | null;
            /** @description the model */
            name: string;
            version: number | null;
            action: components["schemas"]["RegistryAction"];
            /** @description the tag or the alias */
            key: string | null;
            /** @description the tag's new value, the alias's version, the source */
            value: string | null;
            /** @description the value before (the version an alias moved from) */
            previous: string | null;
        };
        /** @enum {string} */
        RegistryAction: "registered" | "deleted" | "tag_set" | "tag_deleted" | "alias_set" | "alias_deleted";
        ModelLineage: {
            version: components["schemas"]["ModelVersion"];
            /** @description the run the version was registered from (null for local files) */
            run: components["schemas"]["RunInfo"] | null;
            /** @description the run's parent, its parent, … up to the top */
            parents: components["schemas"]["RunInfo"][];
        };
        ListModels: {
            models: components["schemas"]["RegisteredModel"][];
        };
        ListModelVersions: {
            versions: components["schemas"]["ModelVersion"][];
        };
        ListRegistryChanges: {
            history: components["schemas"]["RegistryChange"][];
        };
        RegisterModelVersion: {
            /** @description the run (an id or a unique prefix) */
            run_id: string;
            /** @description an artifact file or folder of the run, e.g. `outputs/model` */
            path: string;
            tags?: components["schemas"]["Scalars"];
            properties?: components["schemas"]["Scalars"];
            framework?: string | null;
            description?: string | null;
        };
        SetModelAlias: {
            version: number;
        };
        UpdateModelVersionTags: {
            set?: components["schemas"]["Scalars"];
            /** @description tag keys to remove */
            delete?: string[];
        };
        /** @enum {string} */
        SweepState: "Running" | "Canceling" | "Completed" | "Failed" | "Canceled";
        /** @enum {string} */
        TrialState: "Pending" | "Queued" | "Running" | "Completed" | "Failed" | "Stopped" | "Canceled" | "Lost";
        /** @description one hyperparameter's distribution, e.g. {"kind":"loguniform","low":0.0001,"high":0.1} */
        Distribution: {
            /** @enum {string} */
            kind: "uniform" | "loguniform" | "quniform" | "qloguniform" | "normal" | "randint" | "choice";
            low?: number;
            high?: number;
            q?: number;
            mu?: number;
            sigma?: number;
            values?: (string | number | boolean)[];
        };
        TerminationPolicy: {
            /** @enum {string} */
            policy: "bandit" | "median_stopping" | "truncation_selection";
            evaluation_interval?: number;
            delay_evaluation?: number;
            slack_factor?: number | null;
            slack_amount?: number | null;
            truncation_percentage?: number;
        };
        CreateSweep: {
            experiment: string;
            /** @description relative to the Jupyter root folder */
            script?: string;
            /** @description a callable as 'module:name', importable from source_dir */
            function?: string;
            /** @description relative to the Jupyter root folder */
            source_dir?: string;
            args?: string[];
            space: {
                [key: string]: components["schemas"]["Distribution"];
            };
            /** @enum {string} */
            sampling?: "grid" | "random" | "bayesian";
            primary_metric: string;
            /** @enum {string} */
            goal?: "minimize" | "maximize";
            max_trials?: number;
            max_concurrent?: number;
            timeout?: number | null;
            seed?: number;
            early_termination?: null | components["schemas"]["TerminationPolicy"];
            compute?: string;
            name?: string | null;
        };
        ResumeSweep: {
            /** @description default the sweep's own */
            max_trials?: number | null;
        };
        Sweep: {
            id: string;
            experiment: string;
            state: components["schemas"]["SweepState"];
            /** @description the checked definition (the fields of CreateSweep */
            definition: Record<string, never>;
            max_trials: number;
            error: string | null;
            created_at: components["schemas"]["Timestamp"];
            opened_at: components["schemas"]["Timestamp"];
            ended_at: number | null;
            trial_counts: {
                [key: string]: number;
            };
            best_trial: number | null;
            best_value: number | string | null;
        };
        Trial: {
            sweep_id: string;
            number: number;
            attempt: number;
            run_id: string | null;
            params: Record<string, never>;
            state: components["schemas"]["TrialState"];
            value: number | string | null;
            error: string | null;
            evaluated: number;
            created_at: components["schemas"]["Timestamp"];
            ended_at: number | null;
            run_status?: null | components["schemas"]["RunStatus"];
            /** @description the policy's reason, when it stopped the trial */
            termination?: string | null;
            /** @description the latest value of the primary metric */
            latest?: number | string | null;
            /** @description how many values of the primary metric the trial logged */
            steps?: number;
        };
        SweepDescription: {
            sweep: components["schemas"]["Sweep"];
            trials: components["schemas"]["Trial"][];
            best_run_id: string | null;
        };
        ListSweeps: {
            sweeps: components["schemas"]["Sweep"][];
        };
    };
    responses: {
        /** @description malformed input; `field` names what is wrong (`body` for a body that is not a JSON object) */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description not authenticated, not authorized, or a cookie-authenticated request without its XSRF token */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description no such run, experiment, metric, artifact, compute target or route */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description the request contradicts what is stored (a param's other value, a run that ended, a busy target) */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description the request body is larger than the server takes (`field` is `body`; the message gives the limit) */
        TooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description the workspace's disk is full; nothing was stored (the message names the file) */
        InsufficientStorage: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: {
        /** @description a sweep id (its parent run's), or a unique prefix of one (at least 4 characters) */
        SweepId: string;
        /** @description a run id, or a unique prefix of one (at least 4 characters) */
        RunId: string;
        /** @description a published pipeline's name */
        PipelineName: string;
        /** @description the registered model's name, URL-encoded */
        ModelName: string;
        /** @description the version number (1, 2, …) */
        ModelVersionNumber: number;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description healthy */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    streamEvents: {
        parameters: {
            query?: {
                /** @description the seq of the last event received */
                cursor?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description switching to the WebSocket protocol */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    listExperiments: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the experiments */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListExperiments"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    createRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the experiment's name; created on first use */
                experiment: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateRun"];
            };
        };
        responses: {
            /** @description the new run */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunInfo"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    searchRuns: {
        parameters: {
            query?: {
                /** @description limit to these experiments (repeat the parameter for several) */
                experiment?: string[];
                /** @description e.g. `metrics.mse < 3 and params.alpha = 0.1 and status = 'Completed'` */
                filter?: string;
                /** @description e.g. `metrics.mse ASC` (repeat the parameter for several keys) */
                order_by?: string[];
                max_results?: number;
                /** @description the `next_page_token` of the previous page */
                page_token?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one page of runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    submitRun: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubmitRun"];
            };
        };
        responses: {
            /** @description the queued run */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunInfo"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["TooLarge"];
            507: components["responses"]["InsufficientStorage"];
        };
    };
    getRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunInfo"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    setRunStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetStatus"];
            };
        };
        responses: {
            /** @description the run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunInfo"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    logParams: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LogParams"];
            };
        };
        responses: {
            /** @description logged */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    setTags: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetTags"];
            };
        };
        responses: {
            /** @description set */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    logMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LogMetrics"];
            };
        };
        responses: {
            /** @description how many points were written */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetricsLogged"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    getMetricHistory: {
        parameters: {
            query?: {
                /** @description each bucket keeps the min, the max and the last point of its steps */
                max_points?: number;
            };
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
                /** @description the metric's name, URL-encoded (`train%2Floss` for `train/loss`) */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the series */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetricHistory"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    listArtifacts: {
        parameters: {
            query?: {
                path?: string;
            };
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the artifacts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListArtifacts"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    downloadArtifact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
                /** @description the artifact's path in the run, with `/` between folders; no `..`, not absolute */
                path: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the file's bytes (Content-Length set) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                    "*/*": string;
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    uploadArtifact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
                /** @description the artifact's path in the run, with `/` between folders; no `..`, not absolute */
                path: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description the recorded artifact */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Artifact"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
            507: components["responses"]["InsufficientStorage"];
        };
    };
    readLog: {
        parameters: {
            query?: {
                /** @description a byte offset; a negative one counts from the end (`-4096` reads the tail) */
                offset?: number;
                max_bytes?: number;
            };
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the chunk, cut after its last complete line when there is more */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LogChunk"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    appendLog: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description appended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    downloadSnapshot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the archive's bytes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    recordProcess: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecordProcess"];
            };
        };
        responses: {
            /** @description the job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    recordExit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RecordExit"];
            };
        };
        responses: {
            /** @description the job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    cancelRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description the job, with `cancel_requested` set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    listComputeTargets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the targets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListComputeTargets"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    createComputeTarget: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateComputeTarget"];
            };
        };
        responses: {
            /** @description the new target */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ComputeTarget"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    getComputeTarget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the target */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ComputeTarget"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteComputeTarget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    updateComputeTarget: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateComputeTarget"];
            };
        };
        responses: {
            /** @description the target */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ComputeTarget"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    listModels: {
        parameters: {
            query?: {
                /** @description only models whose name contains this text (case-insensitive) */
                name?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the models */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListModels"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    searchModelVersions: {
        parameters: {
            query?: {
                /** @description the model's name contains this text (case-insensitive) */
                name?: string;
                /** @description `KEY=VALUE`; repeat the parameter for several tags (a version must carry all) */
                tag?: string[];
                /** @description versions registered from this run (an id or a unique prefix) */
                run_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the versions, by model name, newest version first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListModelVersions"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    listModelVersions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListModelVersions"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    registerModelVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterModelVersion"];
            };
        };
        responses: {
            /** @description the new version */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelVersion"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
            507: components["responses"]["InsufficientStorage"];
        };
    };
    getModelVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelVersion"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteModelVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    updateModelVersionTags: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateModelVersionTags"];
            };
        };
        responses: {
            /** @description the version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelVersion"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    getModelLineage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the lineage */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelLineage"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    downloadModelVersion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description the version number (1, 2, …) */
                version: components["parameters"]["ModelVersionNumber"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the file's or the archive's bytes (Content-Length and Content-Disposition set) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                    "application/octet-stream": string;
                    "*/*": string;
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    setModelAlias: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description e.g. `production`: a letter, then letters, digits, `_`, `-` or `.` (at most 64) */
                alias: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetModelAlias"];
            };
        };
        responses: {
            /** @description the version the alias now points at */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelVersion"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    deleteModelAlias: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
                /** @description e.g. `production`: a letter, then letters, digits, `_`, `-` or `.` (at most 64) */
                alias: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getModelHistory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the registered model's name, URL-encoded */
                name: components["parameters"]["ModelName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the history */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListRegistryChanges"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    listPipelines: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the pipelines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListPipelines"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    exportNotebookPipeline: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ExportPipeline"];
            };
        };
        responses: {
            /** @description the folder written */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExportedPipeline"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["TooLarge"];
        };
    };
    describePipeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a published pipeline's name */
                name: components["parameters"]["PipelineName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the pipeline */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DescribePipeline"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    listPipelineRuns: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                /** @description a published pipeline's name */
                name: components["parameters"]["PipelineName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListPipelineRuns"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    triggerPipeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a published pipeline's name */
                name: components["parameters"]["PipelineName"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["TriggerPipeline"];
            };
        };
        responses: {
            /** @description the new pipeline run */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PipelineRun"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    describePipelineRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the pipeline run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PipelineRun"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    cancelPipelineRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a run id, or a unique prefix of one (at least 4 characters) */
                run_id: components["parameters"]["RunId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description the pipeline run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PipelineRun"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    listSweeps: {
        parameters: {
            query?: {
                experiment?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the sweeps */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListSweeps"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    createSweep: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSweep"];
            };
        };
        responses: {
            /** @description the sweep, with its trials so far */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SweepDescription"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["TooLarge"];
        };
    };
    describeSweep: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a sweep id (its parent run's), or a unique prefix of one (at least 4 characters) */
                sweep_id: components["parameters"]["SweepId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the sweep */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SweepDescription"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    cancelSweep: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a sweep id (its parent run's), or a unique prefix of one (at least 4 characters) */
                sweep_id: components["parameters"]["SweepId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description the sweep */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SweepDescription"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    resumeSweep: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description a sweep id (its parent run's), or a unique prefix of one (at least 4 characters) */
                sweep_id: components["parameters"]["SweepId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ResumeSweep"];
            };
        };
        responses: {
            /** @description the sweep */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SweepDescription"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    listEndpoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the endpoints */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListEndpoints"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
        };
    };
    getEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the endpoint */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    deleteEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    getEndpointKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EndpointKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    regenerateEndpointKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description the new key */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EndpointKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
    setEndpointTraffic: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpoint: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SetTraffic"];
            };
        };
        responses: {
            /** @description the endpoint with its new split */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    createDeployment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description created if it does not exist */
                endpoint: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateDeployment"];
            };
        };
        responses: {
            /** @description the endpoint with the new deployment */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["TooLarge"];
        };
    };
    deleteDeployment: {
        parameters: {
            query?: {
                /** @description keep the endpoint (its URL and key) when its last deployment is deleted */
                keep_endpoint?: "true" | "false";
            };
            header?: never;
            path: {
                endpoint: string;
                deployment: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
        };
    };
    getDeploymentLog: {
        parameters: {
            query?: {
                /** @description how many lines from the end */
                lines?: number;
            };
            header?: never;
            path: {
                endpoint: string;
                deployment: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the log's last lines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeploymentLog"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
        };
    };
    submitBatchScoring: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubmitBatchScoring"];
            };
        };
        responses: {
            /** @description the queued run */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunInfo"];
                };
            };
            400: components["responses"]["BadRequest"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["TooLarge"];
        };
    };
}
