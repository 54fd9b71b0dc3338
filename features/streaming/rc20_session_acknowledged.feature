@RC-20 @must @streaming
Feature: RC-20 Acknowledges a streaming session's webhook
  When a streaming session ends, one POST carries its transcript (S-2):
  {"session_id", "messages"}, no transcript_id and no status (S-4). A
  receiver written for transcript notifications that reads transcript_id
  fails on it, and AssemblyAI retries it to no avail (S-3, D-4).

  Scenario: The webhook of a one-minute session is acknowledged with a 2xx within the deadline
    When AssemblyAI delivers the webhook of a 1-minute streaming session
    Then the receiver acknowledges it with a 2xx within the deadline
