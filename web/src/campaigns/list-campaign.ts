// "Send a campaign" from a list: asks for the list's live segment (src/campaigns/list-audience.ts),
// waits for its first computation so the wizard counts the audience, then opens the wizard with it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import type { ListRef, ListSegmentAnswer } from '../../../src/campaigns/list-audience.ts';
import { api } from '../api/client.ts';
import { useWorkspaceId } from '../customers/api.ts';
import { segmentKeys, segmentPath, type Segment } from '../segments/api.ts';
import { campaignKeys } from './api.ts';

export type { ListRef };

const POLL_MS = 500;
/** Past this the wizard opens anyway: it shows the segment, and its count once asked again. */
const WAIT_MS = 60_000;

async function firstComputation(segmentId: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if ((await api<Segment>(segmentPath(segmentId))).lastComputedAt) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Segment names are at most 200 characters; an item name is cut to keep the sentence readable. */
export const shortName = (text: string, max = 60): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function useListCampaign() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async (input: { list: ListRef; name: string }) => {
      const answer = await api<ListSegmentAnswer>('/api/campaigns/list-segment', { method: 'POST', body: { list: input.list, name: input.name.slice(0, 200) } });
      if (!answer.computed) await firstComputation(answer.segmentId);
      return answer;
    },
    onSuccess: async (answer) => {
      // The wizard lists the segments (with the new one and its size) and counts the audience afresh.
      await client.invalidateQueries({ queryKey: segmentKeys.all(ws) });
      await client.invalidateQueries({ queryKey: [...campaignKeys.all(ws), 'count'] });
      navigate(`/campaigns/new?segment=${encodeURIComponent(answer.segmentId)}`);
    },
  });
}
