@RC-13 @should @streaming
Feature: RC-13 (streaming) Answers 405 to methods other than POST
  Session webhooks are always POST (S-2); other methods are not webhooks.

  Scenario Outline: A <method> request with a session body is refused with a 4xx
    When a <method> request arrives at the webhook URL
    Then the receiver refuses it with a 4xx

    Examples:
      | method |
      | GET    |
      | PUT    |
      | DELETE |
