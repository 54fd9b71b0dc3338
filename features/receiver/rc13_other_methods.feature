@RC-13 @should
Feature: RC-13 Answers 405 to methods other than POST
  Deliveries are always POST (D-1); other methods are not notifications.

  Scenario Outline: A <method> request is refused with a 4xx
    When a <method> request arrives at the webhook URL
    Then the receiver refuses it with a 4xx

    Examples:
      | method |
      | GET    |
      | PUT    |
      | DELETE |
