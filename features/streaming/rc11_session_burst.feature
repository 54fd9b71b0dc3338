@RC-11 @must @serial @streaming
Feature: RC-11 (streaming) Acknowledges a burst of concurrent session webhooks
  Many sessions end at once (a shift change at a call centre). A 429 is a
  4xx and is never retried (D-5, P-6, S-3): the session's transcript is
  lost. Runs alone, so other scenarios do not add load.

  Scenario: A burst of concurrent session webhooks is acknowledged in full
    When AssemblyAI delivers a burst of concurrent streaming session webhooks
    Then every delivery is acknowledged with a 2xx within the deadline
