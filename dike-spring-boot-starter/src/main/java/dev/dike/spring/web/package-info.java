/** HTTP 503 problem details for rejected calls in Spring MVC and WebFlux applications. */
package dev.dike.spring.web;
