@RC-17 @should @api
Feature: RC-17 Fetches what the notification announces
  A notification carries only transcript_id and status (D-2): the text, or
  the reason a transcript failed, must be fetched with GET
  /v2/transcript/{id} and the team's API key (A-1). The report shows each
  call beside the delivery that announced it. Needs --api; a receiver that
  calls https://api.assemblyai.com directly makes no call here and fails.

  Background:
    Given the run is configured with AssemblyAI's API (otherwise not applicable)

  Scenario: A completed transcript is fetched with the configured key
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver fetches the notified transcript with the configured API key

  Scenario: An error transcript is fetched with the configured key, to read its error
    When AssemblyAI delivers an "error" transcript notification
    Then the receiver fetches the notified transcript with the configured API key
