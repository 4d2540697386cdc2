// Inputs of the Slack workflows the ingress and the token rotation run.
import { z } from 'zod';
import { duration, inputSpec, text } from './parse';

export const slackEventInput = inputSpec(z.object({ teamId: text(40), eventId: text(100) }).strict(), {
  teamId: 'T0001',
  eventId: 'Ev0001',
});

export const slackTokenRotationInput = inputSpec(
  z.object({ refreshBefore: duration.optional(), retryEvery: duration.optional() }).strict(),
  { refreshBefore: '2 hours', retryEvery: '10 minutes' },
);
