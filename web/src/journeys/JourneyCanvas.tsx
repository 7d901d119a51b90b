// The journey on a React Flow canvas: steps as nodes, branches as labelled edges, the trigger on
// top. Dragging from a branch's handle to a step connects it (replacing its old link); dragging an
// edge's end away disconnects it; Delete removes the selected step or edge; "Add step" adds one
// after the selected step. The definition stays the one source of truth: every change goes
// through `edit`, and the nodes are drawn again from it (keeping the sizes React Flow measured).
import '@xyflow/react/dist/style.css';
import { Button, Group, Menu, Stack, Text } from '@mantine/core';
import { useComputedColorScheme } from '@mantine/core';
import { IconLayoutDistributeHorizontal, IconPlus, IconSettings } from '@tabler/icons-react';
import {
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  Panel,
  ReactFlow,
  type Connection,
  type Edge,
  type IsValidConnection,
  type NodeChange,
  type NodeTypes,
  type OnDelete,
  type ReactFlowInstance,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { JourneyDefinition, StepType } from './api.ts';
import { branchLabel } from './edge-labels.ts';
import { fromFlow, toFlow, TRIGGER_ID, type FlowEdge, type FlowNode } from './flow.ts';
import { addStep, connect, disconnect, MAX_STEPS, newStep, newStepId, PALETTE, removeStep } from './graph-edit.ts';
import { tidy } from './layout.ts';
import { NODE_WIDTH, StepNodeView, TriggerNodeView } from './nodes.tsx';
import { STEP_ICONS } from './step-icons.ts';
import { stepSummary, triggerSummary, type Names } from './words.ts';

const NODE_TYPES: NodeTypes = { step: StepNodeView, trigger: TriggerNodeView };

type Props = {
  definition: JourneyDefinition;
  edit: (fn: (d: JourneyDefinition) => JourneyDefinition) => void;
  readOnly: boolean;
  selected: string | null;
  onSelect: (id: string | null) => void;
  problemIds: ReadonlySet<string>;
  triggerProblem: boolean;
  figures: ReadonlyMap<string, { reached: number; waiting: number }> | null;
  names: Names;
};

/** The new nodes, keeping what React Flow measured and is doing (dragging) from the old ones. */
function carry(prev: readonly FlowNode[], next: readonly FlowNode[]): FlowNode[] {
  const old = new Map(prev.map((n) => [n.id, n]));
  return next.map((n) => {
    const o = old.get(n.id);
    return (o ? { ...n, measured: o.measured, dragging: o.dragging } : n) as FlowNode;
  });
}

export function JourneyCanvas({ definition: def, edit, readOnly, selected, onSelect, problemIds, triggerProblem, figures, names }: Props) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const colorMode = useComputedColorScheme('light');
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const [instance, setInstance] = useState<ReactFlowInstance<FlowNode, FlowEdge> | null>(null);

  const flow = useMemo(() => toFlow(def), [def]);
  const drawn = useMemo(
    () =>
      flow.nodes.map((n): FlowNode => {
        if (n.type === 'trigger') {
          return { ...n, draggable: false, selected: selected === TRIGGER_ID, data: { ...n.data, summary: triggerSummary(t, n.data.trigger, names), problem: triggerProblem } };
        }
        const step = n.data.step;
        return {
          ...n,
          selected: selected === n.id,
          data: { ...n.data, summary: stepSummary(t, step, names, lang), figures: figures ? (figures.get(step.id) ?? { reached: 0, waiting: 0 }) : null, problem: problemIds.has(step.id) },
        };
      }),
    [flow, selected, t, names, lang, triggerProblem, figures, problemIds],
  );
  const [nodes, setNodes] = useState<FlowNode[]>(drawn);
  useEffect(() => setNodes((prev) => carry(prev, drawn)), [drawn]);
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;

  const edges = useMemo(
    (): FlowEdge[] =>
      flow.edges.map((e) => ({
        ...e,
        type: 'smoothstep',
        selected: e.id === selectedEdge,
        markerEnd: { type: MarkerType.ArrowClosed },
        label: e.data && e.data.kind !== 'start' && e.data.kind !== 'next' ? branchLabel(t, { ...e.data, kind: e.data.kind }, lang) : undefined,
        labelBgPadding: [6, 3] as [number, number],
        labelBgBorderRadius: 4,
        data: e.data,
      })),
    [flow, selectedEdge, t, lang],
  );

  // Selection is the page's (it opens the side panel); React Flow's own select changes are ignored.
  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== 'select' && c.type !== 'remove'), ns)), []);
  const onNodeDragStop = useCallback(
    (_: unknown, _node: FlowNode, dragged: FlowNode[]) => {
      const moved = new Map(dragged.map((n) => [n.id, n.position]));
      const current = nodesRef.current.map((n) => (moved.has(n.id) ? { ...n, position: moved.get(n.id)! } : n)) as FlowNode[];
      edit((d) => fromFlow(d, current, toFlow(d).edges));
    },
    [edit],
  );
  const onConnect = useCallback((c: Connection) => edit((d) => connect(d, c.source, c.sourceHandle, c.target)), [edit]);
  const isValidConnection: IsValidConnection = useCallback((c) => c.target !== TRIGGER_ID && c.source !== c.target, []);
  const onDelete: OnDelete<FlowNode, FlowEdge> = useCallback(
    ({ nodes: gone, edges: cut }) => {
      edit((d) => {
        let next = cut.reduce((acc, e) => disconnect(acc, e.source, e.sourceHandle), d);
        for (const n of gone) if (n.id !== TRIGGER_ID) next = removeStep(next, n.id);
        return next;
      });
      setSelectedEdge(null);
      if (gone.some((n) => n.id === selected)) onSelect(null);
    },
    [edit, onSelect, selected],
  );
  // Dragging an edge's end onto another step moves it; dropping it on the canvas disconnects it.
  const reconnected = useRef(false);
  const onReconnectStart = useCallback(() => (reconnected.current = false), []);
  const onReconnect = useCallback(
    (old: Edge, c: Connection) => {
      reconnected.current = true;
      edit((d) => connect(disconnect(d, old.source, old.sourceHandle), c.source, c.sourceHandle, c.target));
    },
    [edit],
  );
  const onReconnectEnd = useCallback(
    (_: unknown, old: Edge) => {
      if (!reconnected.current) edit((d) => disconnect(d, old.source, old.sourceHandle));
    },
    [edit],
  );

  function add(type: StepType) {
    const id = newStepId(def.graph, type);
    const step = newStep(type, id, { notifySubject: t('journeys.notify.defaultSubject'), notifyBody: t('journeys.notify.defaultBody') });
    edit((d) => addStep(d, step, selected && selected !== TRIGGER_ID ? selected : null));
    onSelect(id);
    // Once drawn, bring the new step into view.
    setTimeout(() => {
      const node = instance?.getNode(id);
      if (instance && node) void instance.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + 40, { zoom: instance.getZoom(), duration: 300 });
    }, 50);
  }

  return (
    <ReactFlow<FlowNode, FlowEdge>
      nodes={nodes}
      edges={edges}
      nodeTypes={NODE_TYPES}
      onNodesChange={onNodesChange}
      onNodeClick={(_, n) => {
        setSelectedEdge(null);
        onSelect(n.id);
      }}
      onEdgeClick={(_, e) => setSelectedEdge(e.id)}
      onPaneClick={() => {
        setSelectedEdge(null);
        onSelect(null);
      }}
      onNodeDragStop={onNodeDragStop}
      onConnect={onConnect}
      isValidConnection={isValidConnection}
      onDelete={onDelete}
      onReconnectStart={onReconnectStart}
      onReconnect={onReconnect}
      onReconnectEnd={onReconnectEnd}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      edgesReconnectable={!readOnly}
      deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
      multiSelectionKeyCode={null}
      selectionKeyCode={null}
      colorMode={colorMode}
      fitView
      fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
      minZoom={0.2}
      proOptions={{ hideAttribution: true }}
      aria-label={t('journeys.editor.canvas')}
      onInit={setInstance}
    >
      <Background gap={20} />
      <Controls showInteractive={false} />
      <Panel position="top-left">
        <Group gap="xs">
          {!readOnly && <Palette onAdd={add} full={def.graph.steps.length >= MAX_STEPS} />}
          {!readOnly && (
            <Button size="xs" variant="default" leftSection={<IconLayoutDistributeHorizontal size={14} />} onClick={() => edit((d) => ({ ...d, graph: tidy(d.graph) }))} data-testid="journey-tidy">
              {t('journeys.editor.tidy')}
            </Button>
          )}
          <Button size="xs" variant="default" leftSection={<IconSettings size={14} />} onClick={() => onSelect(null)} data-testid="journey-settings">
            {t('journeys.editor.settings')}
          </Button>
        </Group>
      </Panel>
    </ReactFlow>
  );
}

function Palette({ onAdd, full }: { onAdd: (type: StepType) => void; full: boolean }) {
  const { t } = useTranslation();
  return (
    <Menu position="bottom-start" width={320} withinPortal>
      <Menu.Target>
        <Button size="xs" leftSection={<IconPlus size={14} />} disabled={full} data-testid="journey-add-step">
          {t('journeys.editor.addStep')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {PALETTE.map((type) => {
          const Icon = STEP_ICONS[type];
          return (
            <Menu.Item key={type} leftSection={<Icon size={16} />} onClick={() => onAdd(type)} data-testid={`palette-${type}`}>
              <Stack gap={0}>
                <Text size="sm">{t(`journeys.stepTypes.${type}`)}</Text>
                <Text size="xs" c="dimmed">
                  {t(`journeys.stepHelp.${type}`)}
                </Text>
              </Stack>
            </Menu.Item>
          );
        })}
      </Menu.Dropdown>
    </Menu>
  );
}
