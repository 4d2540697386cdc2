// npm start: subscribes the local ingress to the SES simulator's feedback topic once the ingress
// answers, as one subscribes an HTTPS endpoint to an SNS topic; the ingress confirms it itself.
import { Agent } from 'undici';
import { SIMULATOR_CREDENTIALS } from './local-env';

export async function subscribeIngressToSes(
  sesUrl: string,
  caPem: string,
  ingressUrl: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await fetch(`${ingressUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the ingress at ${ingressUrl} did not answer`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const response = await fetch(`${sesUrl}/__admin/ses/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      topicArn: SIMULATOR_CREDENTIALS.sesTopicArn,
      endpoint: `${ingressUrl}/ses/sns`,
      signatureVersion: '2',
    }),
    ...({ dispatcher: new Agent({ connect: { ca: caPem } }) } as object),
  });
  if (!response.ok) throw new Error(`SES simulator subscribe: HTTP ${response.status}`);
}
