/**
 * The agents of the pipeline, in the order they work: the one list every part reads (the step graph in
 * `core/agents/steps.ts`, the model table in `llm/models.ts`, the API's schemas, the UI's Settings).
 * Adding an agent starts here; the compiler then asks for its input schema and its step function.
 * Imports nothing: the web reads it through the wire protocol.
 */
export const AGENT_ROSTER = [
  { name: 'SpecWriter', role: 'Writes the specification and asks what is unclear', callsModel: true },
  { name: 'Architect', role: 'Chooses the stack', callsModel: true },
  { name: 'TechLead', role: 'Plans the tasks', callsModel: true },
  { name: 'Developer', role: 'Breaks a task into steps', callsModel: true },
  { name: 'TestWriter', role: "Writes each task's acceptance tests first", callsModel: true },
  { name: 'CodeMonkey', role: 'Writes and reviews the code', callsModel: true },
  { name: 'Executor', role: 'Runs the commands and starts the app', callsModel: false },
  { name: 'BugHunter', role: 'Debugs failing commands', callsModel: true },
  { name: 'Troubleshooter', role: 'Looks into your reports', callsModel: true },
  { name: 'TechnicalWriter', role: 'Writes the README', callsModel: true },
] as const;

/** The name of an agent (a step of the agents' pipeline). */
export type AgentName = (typeof AGENT_ROSTER)[number]['name'];

type ModelAgentEntry = Extract<(typeof AGENT_ROSTER)[number], { callsModel: true }>;

/** An agent that calls a model: what a model table may name. */
export type ModelAgentName = ModelAgentEntry['name'];

/** The agents that call a model, in pipeline order, with what each does. */
export const MODEL_AGENT_ROSTER = AGENT_ROSTER.filter((a): a is ModelAgentEntry => a.callsModel);
