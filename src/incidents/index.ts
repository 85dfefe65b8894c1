/** Incidents: grouping findings and failures that share a cause, and what changed before them. */
export { DEFAULT_INCIDENT_OPTIONS, buildIncidents, errorSignature, type CandidateCause, type Evidence, type Incident, type IncidentOptions, type TimelineEntry } from './incidents.js';
export { ciDeployMarker, configHash } from './changes.js';
export { incidentsMarkdown } from './markdown.js';
