/**
 * Names for the shapes of the REST API, all taken from schema.d.ts (generated from api/openapi.yaml): field
 * names are the server's snake_case names, and a change to the document shows up here at compile time.
 */
import { components, operations } from './schema';

type Schemas = components['schemas'];

/**
 * A float; JSON has no NaN or infinities, so the server spells them "NaN", "Infinity" and "-Infinity".
 */
export type JSONFloat = Schemas['Real'];

export type Health = Schemas['Health'];
export type ErrorBody = Schemas['Error'];
export type RunStatus = Schemas['RunStatus'];
export type Experiment = Schemas['Experiment'];
export type RunInfo = Schemas['RunInfo'];
export type RunPage = Schemas['RunPage'];
export type MetricHistory = Schemas['MetricHistory'];
export type Artifact = Schemas['Artifact'];
export type LogChunk = Schemas['LogChunk'];
export type ComputeTarget = Schemas['ComputeTarget'];
export type SubmitRun = Schemas['SubmitRun'];

/**
 * What `GET /runs` takes: experiments, a filter in the search language, `order_by` clauses such as
 * `metrics.loss DESC`, and paging.
 */
export type RunQuery = NonNullable<operations['searchRuns']['parameters']['query']>;

export type ModelVersion = Schemas['ModelVersion'];
export type RegisteredModel = Schemas['RegisteredModel'];
export type RegistryChange = Schemas['RegistryChange'];
export type RegistryAction = Schemas['RegistryAction'];
export type ModelLineage = Schemas['ModelLineage'];
export type TagsUpdate = Schemas['UpdateModelVersionTags'];

export type PipelineParams = Schemas['PipelineParams'];
export type PipelineParamValue = PipelineParams[string];
export type PipelineSummary = Schemas['PipelineSummary'];
export type PublishedPipeline = Schemas['PublishedPipeline'];
export type DescribePipeline = Schemas['DescribePipeline'];
export type PipelineRunState = Schemas['PipelineRunState'];
export type PipelineRunSummary = Schemas['PipelineRunSummary'];
export type PipelineRun = Schemas['PipelineRun'];
export type PipelineRunStep = Schemas['PipelineRunStep'];
export type PipelineStepState = PipelineRunStep['state'];
export type TriggerPipeline = Schemas['TriggerPipeline'];
export type ExportedPipeline = Schemas['ExportedPipeline'];

/**
 * One message of the events WebSocket: an event, or `ready`/`reset` after (re)connecting.
 */
export type ChangeEvent = Schemas['ChangeEvent'];
export type EventsMessage = ChangeEvent | Schemas['EventsReady'] | Schemas['EventsReset'];
export type MetricsEventSeries = Schemas['MetricsEventSeries'];
