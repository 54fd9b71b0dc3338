@RC-21 @must @streaming
Feature: RC-21 Accepts the webhook of the longest session
  The webhook carries every word of the session with its timings, so it
  grows with the session (S-5): about 14 KiB a minute, 864 KiB an hour,
  2.5 MiB for 3 hours, the longest session AssemblyAI keeps open (S-6).
  Framework defaults refuse far less (Express 100 KB, Next.js 1 MB) with a
  413, a 4xx that is never retried (D-5): the transcript is lost.

  Scenario: Session webhooks of 1 min, 10 min, 1 h and the longest session are all acknowledged
    When AssemblyAI delivers the webhooks of streaming sessions of increasing length, up to the longest
    Then the receiver accepts every session length up to the longest
